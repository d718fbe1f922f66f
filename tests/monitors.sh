# Real monitoring servers for the tests: nagios4 and icinga2, each a
# private instance in a directory the test gives (under $T), running the
# object files the test wrote, with their check results read back from
# what the server itself writes.  Sourced after tests/lib.sh and
# tests/daemons.sh, whose registry, stopping and helpers it shares;
# defines functions only.
#
#   . "$top_srcdir/tests/lib.sh"
#   . "$top_srcdir/tests/daemons.sh"
#   . "$top_srcdir/tests/monitors.sh"
#   daemons_trap                  # stops these too, on any exit
#   monitors_available nagios4 || { skip "nagios4: $monitors_why"; done_testing; exit; }
#   d=/etc/nagios4/objects
#   nagios_start "$T/nagios" $d/templates.cfg $d/timeperiods.cfg \
#       $d/contacts.cfg $d/commands.cfg "$T/certs.cfg" ||
#       { echo "Bail out! nagios4"; exit 1; }
#   nagios_wait "$T/nagios" 3 || not_ok ...
#   state=$(nagios_field "$T/nagios" www.test cert current_state)
#
# (Debian's contacts.cfg names notify-*-by-email, which commands.cfg
# defines; generic-service names contacts.cfg's admins.)
#
# monitors_available KIND   whether KIND (nagios4, icinga2) can run here;
#                           if not, why is in $monitors_why, for a skip
# nagios_verify DIR OBJFILE...
#                           writes DIR/nagios.cfg (the one nagios_start
#                           runs) with each OBJFILE as a cfg_file and runs
#                           "nagios4 -v" on it: its status, its output on
#                           stdout
# nagios_start DIR OBJFILE...
#                           a nagios4 daemon running that configuration;
#                           ready once DIR/status.dat is written
# nagios_wait DIR COUNT [TIMEOUT]
#                           waits until COUNT services of status.dat have
#                           been checked (TIMEOUT whole seconds, default
#                           30); on timeout shows status.dat, returns 1
# nagios_field DIR HOST SERVICE FIELD
#                           prints FIELD of that service in status.dat, as
#                           written there (current_state, plugin_output,
#                           long_plugin_output with "\n" for newlines,
#                           performance_data, check_command...); 1 if none
# icinga2_validate DIR CONFFILE...
#                           writes DIR/icinga2.conf (the one icinga2_start
#                           runs: the ITL, <plugins>, each CONFFILE) and
#                           runs "icinga2 daemon -C" on it: its status, its
#                           output on stdout
# icinga2_start DIR CONFFILE...
#                           an icinga2 daemon running that configuration;
#                           ready once it has activated its objects
# icinga2_wait DIR COUNT [TIMEOUT]
#                           waits until COUNT services have a check result
#                           (default 30 s); on timeout shows them, returns 1
# icinga2_field DIR HOST SERVICE FIELD
#                           prints FIELD of the last check result of that
#                           service: state (0..3), output (the whole text,
#                           long output included, without the performance
#                           data, as icinga2 keeps it), perfdata (as
#                           icinga2 parsed and re-wrote it); 1 if none
#
# The *_start functions follow daemons.sh: DIR is created if missing, one
# instance a DIR; they return once the server is ready, at most
# DAEMONS_TIMEOUT seconds (default 15) after the start, or print the end
# of its logs to stderr as "# " lines, stop it and return 1.  Stop with
# daemons_stop DIR or daemons_stop_all.  Results of an earlier run in the
# same DIR are removed first: no state is kept from one run to the next.
#
# Both servers are started as root and run as the user nagios (the one of
# a Debian install; as the user running the tests when that is not root),
# so plugins run unprivileged: DIR is given to that user, and DIR and its
# parents ($T, which mktemp makes 0700) get search permission (o+x), as
# in daemons.sh.  Object files and plugins must be readable (and
# executable) by that user: files created in $T with the usual umask are.
# Nothing listens on a port; every file is under DIR, so instances run
# side by side.  They inherit the test's environment (LC_ALL, TZ,
# CERTPROBE_CONFIG), which their plugins see.
#
# MONITORS_PLUGINS, when set, is the plugin directory of both: nagios4's
# $USER1$, icinga2's PluginDir (default /usr/lib/nagios/plugins, where
# Debian has them), so that the project's definitions run its build.
#
# Scheduling is the callers' business, within these settings: nagios4
# runs with interval_length=1, so check_interval and retry_interval are in
# seconds, and schedules every first check at its start.  icinga2 makes
# the first check of a service at a random time within
# min(check_interval, 60 s) of its start: give services
# check_interval = 1s.  Results appear in nagios4's status.dat within 1 s
# of the check, in icinga2's files within 1 s too (see _icinga2_conf).

# monitors_available KIND: whether KIND (nagios4, icinga2) can be started
# here; if not, the reason is in $monitors_why, for a skip.
monitors_available() {
    monitors_why=
    case $1 in
        nagios4 | icinga2) ;;
        *) monitors_why="unknown monitor '$1'" ;;
    esac
    if [ -n "$monitors_why" ]; then
        :
    elif ! _monitors_bin "$1" >/dev/null; then
        monitors_why="$1 is not installed (./bootstrap --test-deps)"
    elif [ "$(id -u)" = 0 ] && ! id nagios >/dev/null 2>&1; then
        monitors_why="no user nagios to run $1 as"
    elif [ "$1" = icinga2 ] && ! [ -r "$_icinga2_itl/itl" ]; then
        monitors_why="no icinga2 template library in $_icinga2_itl (icinga2-common)"
    fi
    [ -z "$monitors_why" ]
}

# -------------------------------------------------------------- nagios4

# nagios_verify DIR OBJFILE...: see the top of this file.
nagios_verify() {
    local dir nagios
    nagios=$(_monitors_bin nagios4) || { echo "nagios_verify: no nagios4"; return 1; }
    dir=$(_nagios_setup "${1:?nagios_verify DIR OBJFILE...}" "${@:2}") || return 1
    "$nagios" -v "$dir/nagios.cfg" 2>&1
}

# nagios_start DIR OBJFILE...: see the top of this file.  Logs:
# DIR/nagios.out (start-up and configuration errors), DIR/nagios.log.
nagios_start() {
    local dir nagios
    nagios=$(_monitors_bin nagios4) || { echo "nagios_start: no nagios4" >&2; return 1; }
    dir=$(_nagios_setup "${1:?nagios_start DIR OBJFILE...}" "${@:2}") || return 1
    rm -f "$dir/status.dat" "$dir/nagios.log" "$dir/retention.dat" "$dir/objects.cache" &&
        : >"$dir/nagios.out" || return 1
    # Without -d: in the foreground, so that it stays in the session.
    _daemons_spawn nagios4 "$dir" "$dir/nagios.out" "$nagios" "$dir/nagios.cfg" || return 1
    # shellcheck disable=SC2154 # set by _daemons_spawn
    _monitors_until "$_daemons_sid" "${DAEMONS_TIMEOUT:-15}" test -e "$dir/status.dat" ||
        _monitors_fail nagios4 "$dir" "$dir/nagios.out"
}

# nagios_wait DIR COUNT [TIMEOUT]: see the top of this file.
nagios_wait() {
    local dir
    dir=$(_monitors_abs "${1:?nagios_wait DIR COUNT [TIMEOUT]}") || return 1
    _monitors_until "$(_monitors_sid nagios4 "$dir")" "${3:-30}" \
        _nagios_checked "$dir" "${2:?nagios_wait DIR COUNT [TIMEOUT]}" && return 0
    echo "# nagios4 in $dir: $_monitors_why, waiting for $2 checked services; status.dat says:" >&2
    if [ -r "$dir/status.dat" ]; then
        _nagios_services "$dir" summary | sed 's/^/#   /' >&2
    else
        echo "#   (no status.dat)" >&2
    fi
    # Why it exited is in its output; why a check fails, in its log.
    if [ "$_monitors_why" = exited ]; then
        _daemons_tail "$dir/nagios.out"
    else
        _daemons_tail "$dir/nagios.log"
    fi
    return 1
}

# nagios_field DIR HOST SERVICE FIELD: see the top of this file.
nagios_field() {
    local dir
    dir=$(_monitors_abs "${1:?nagios_field DIR HOST SERVICE FIELD}") || return 1
    _nagios_services "$dir" field "${2:?}" "${3:?}" "${4:?}"
}

# _nagios_setup DIR OBJFILE...: makes DIR and its configuration, prints
# DIR's absolute path.
_nagios_setup() {
    local dir
    dir=$(_monitors_dir "$1" tmp checkresults) || return 1
    shift
    # nagios4 and its workers talk through a Unix socket in DIR, whose
    # path has at most 107 bytes.
    if [ ${#dir} -gt 96 ]; then
        echo "nagios4: '$dir' is too long a path for its query socket" >&2
        return 1
    fi
    _nagios_cfg "$dir" "$@" >"$dir/nagios.cfg" &&
        echo "\$USER1\$=${MONITORS_PLUGINS:-/usr/lib/nagios/plugins}" >"$dir/resource.cfg" &&
        chmod 644 "$dir/nagios.cfg" "$dir/resource.cfg" || return 1
    echo "$dir"
}

# _nagios_cfg DIR OBJFILE...: the main configuration: every path in DIR;
# Debian's user, $USER1$ and illegal_macro_output_chars; no retention, no
# external commands, no notifications, no update check (it would go to
# the Internet).
_nagios_cfg() {
    local dir=$1 f user group
    shift
    read -r user group < <(_monitors_user)
    echo "# Written by tests/monitors.sh"
    for f in "$@"; do
        echo "cfg_file=$(_daemons_abs "$f")"
    done
    cat <<EOF
resource_file=$dir/resource.cfg
log_file=$dir/nagios.log
status_file=$dir/status.dat
object_cache_file=$dir/objects.cache
precached_object_file=$dir/objects.precache
temp_file=$dir/nagios.tmp
temp_path=$dir/tmp
lock_file=$dir/nagios.lock
check_result_path=$dir/checkresults
command_file=$dir/nagios.cmd
query_socket=$dir/nagios.qh
log_archive_path=$dir/tmp
debug_file=$dir/nagios.debug
state_retention_file=$dir/retention.dat
nagios_user=$user
nagios_group=$group
EOF
    # interval_length=1 makes intervals and the spread of the first
    # checks seconds; with no inter-check delay, every first check is
    # due at the start.  status.dat is rewritten every second.
    cat <<'EOF'
retain_state_information=0
use_retained_program_state=0
use_retained_scheduling_info=0
check_external_commands=0
enable_notifications=0
process_performance_data=0
check_for_updates=0
use_syslog=0
log_rotation_method=n
debug_level=0
daemon_dumps_core=0
check_service_freshness=0
check_for_orphaned_services=0
check_for_orphaned_hosts=0
interval_length=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
max_service_check_spread=1
max_host_check_spread=1
check_result_reaper_frequency=1
status_update_interval=1
illegal_macro_output_chars=`~$&|'"<>
EOF
}

# _nagios_checked DIR COUNT: whether COUNT services of DIR's status.dat
# have been checked.
_nagios_checked() {
    [ -r "$1/status.dat" ] && [ "$(_nagios_services "$1" count)" -ge "$2" ]
}

# _nagios_services DIR count | summary | field HOST SERVICE FIELD: the
# number of services checked, a line a service, or one field of one
# (status 1 if there is none), from DIR's status.dat.  Values are
# everything after the first "=" of the line; awk gets them through the
# environment, where it does not interpret backslashes.
_nagios_services() {
    [ -r "$1/status.dat" ] || return 1
    MON_MODE=$2 MON_HOST=${3-} MON_SVC=${4-} MON_FIELD=${5-} awk '
        /^servicestatus \{$/ { blk = 1; split("", f); next }
        blk && /^[ \t]*}$/ {
            blk = 0
            if (f["has_been_checked"] == 1) n++
            if (ENVIRON["MON_MODE"] == "summary")
                printf "%s / %s: has_been_checked=%s current_state=%s plugin_output=%s\n",
                    f["host_name"], f["service_description"], f["has_been_checked"],
                    f["current_state"], f["plugin_output"]
            else if (ENVIRON["MON_MODE"] == "field" && !found &&
                f["host_name"] == ENVIRON["MON_HOST"] &&
                f["service_description"] == ENVIRON["MON_SVC"] &&
                (ENVIRON["MON_FIELD"] in f)) {
                print f[ENVIRON["MON_FIELD"]]
                found = 1
            }
            next
        }
        blk {
            sub(/^\t/, "")
            i = index($0, "=")
            if (i) f[substr($0, 1, i - 1)] = substr($0, i + 1)
        }
        END {
            if (ENVIRON["MON_MODE"] == "count") print n + 0
            if (ENVIRON["MON_MODE"] == "field") exit !found
        }' "$1/status.dat"
}

# -------------------------------------------------------------- icinga2

# Debian's ITL; the binary knows it already (its PkgDataDir).
_icinga2_itl=/usr/share/icinga2/include

# icinga2_validate DIR CONFFILE...: see the top of this file.
icinga2_validate() {
    local dir icinga2
    icinga2=$(_monitors_bin icinga2) || { echo "icinga2_validate: no icinga2"; return 1; }
    dir=$(_icinga2_setup "${1:?icinga2_validate DIR CONFFILE...}" "${@:2}") || return 1
    _icinga2_argv "$dir" "$icinga2"
    "${_icinga2_argv[@]}" -C 2>&1
}

# icinga2_start DIR CONFFILE...: see the top of this file.  Log:
# DIR/icinga2.out (its console log); results in DIR/perfdata.
icinga2_start() {
    local dir icinga2
    icinga2=$(_monitors_bin icinga2) || { echo "icinga2_start: no icinga2" >&2; return 1; }
    dir=$(_icinga2_setup "${1:?icinga2_start DIR CONFFILE...}" "${@:2}") || return 1
    # No retention: the state file would bring back the last results
    # and the times of the next checks.
    rm -f "$dir"/perfdata/* "$dir/lib/icinga2.state" "$dir/lib/modified-attributes.conf" &&
        : >"$dir/icinga2.out" || return 1
    _icinga2_argv "$dir" "$icinga2"
    # Without -d: in the foreground, so that it stays in the session.
    _daemons_spawn icinga2 "$dir" "$dir/icinga2.out" "${_icinga2_argv[@]}" || return 1
    # shellcheck disable=SC2154 # set by _daemons_spawn
    _monitors_until "$_daemons_sid" "${DAEMONS_TIMEOUT:-15}" \
        grep -q "Activated all objects" "$dir/icinga2.out" ||
        _monitors_fail icinga2 "$dir" "$dir/icinga2.out"
}

# icinga2_wait DIR COUNT [TIMEOUT]: see the top of this file.
icinga2_wait() {
    local dir
    dir=$(_monitors_abs "${1:?icinga2_wait DIR COUNT [TIMEOUT]}") || return 1
    _monitors_until "$(_monitors_sid icinga2 "$dir")" "${3:-30}" \
        _icinga2_checked "$dir" "${2:?icinga2_wait DIR COUNT [TIMEOUT]}" && return 0
    echo "# icinga2 in $dir: $_monitors_why, waiting for $2 checked services; its results:" >&2
    _icinga2_results "$dir" summary | sed 's/^/#   /' >&2
    _daemons_tail "$dir/icinga2.out"
    return 1
}

# icinga2_field DIR HOST SERVICE FIELD: see the top of this file.
icinga2_field() {
    local dir
    case ${4-} in
        state | output | perfdata) ;;
        *) echo "icinga2_field: FIELD is state, output or perfdata, not '${4-}'" >&2; return 1 ;;
    esac
    dir=$(_monitors_abs "${1:?icinga2_field DIR HOST SERVICE FIELD}") || return 1
    _icinga2_results "$dir" field "${2:?}" "${3:?}" "$4"
}

# _icinga2_setup DIR CONFFILE...: makes DIR, the directories that
# _icinga2_argv gives icinga2 and its main configuration; prints DIR's
# absolute path.
_icinga2_setup() {
    local dir
    dir=$(_monitors_dir "$1" etc etc/zones.d lib log cache spool run perfdata) || return 1
    shift
    _icinga2_conf "$dir" "$@" >"$dir/icinga2.conf" && chmod 644 "$dir/icinga2.conf" ||
        return 1
    echo "$dir"
}

# _icinga2_argv DIR PROGRAM: sets _icinga2_argv, the command that runs
# icinga2 (PROGRAM) on DIR.  icinga2 2.13 has its paths
# compiled in (/etc/icinga2, /var/lib/icinga2, /var/cache/icinga2,
# /var/log/icinga2, /run/icinga2...) and takes no environment variable
# for them, but every one is a constant that --define overrides.  Those
# derived from another one (ZonesDir from ConfigDir) are set before the
# defines are read: each is given too.  The package's icinga2 user is
# nagios; ICINGA2_USER and ICINGA2_GROUP say it anyway: icinga2 switches
# to them when started as root, and refuses to start as anyone else.
_icinga2_argv() {
    local dir=$1 user group
    read -r user group < <(_monitors_user)
    _icinga2_argv=(env "ICINGA2_USER=$user" "ICINGA2_GROUP=$group"
        "$2" daemon -c "$dir/icinga2.conf"
        -D "ConfigDir=$dir/etc" -D "ZonesDir=$dir/etc/zones.d"
        -D "DataDir=$dir/lib" -D "StatePath=$dir/lib/icinga2.state"
        -D "ModAttrPath=$dir/lib/modified-attributes.conf"
        -D "LogDir=$dir/log" -D "SpoolDir=$dir/spool"
        -D "CacheDir=$dir/cache" -D "ObjectsPath=$dir/cache/icinga2.debug"
        -D "VarsPath=$dir/cache/icinga2.vars"
        -D "InitRunDir=$dir/run" -D "PidPath=$dir/run/icinga2.pid")
}

# _icinga2_conf DIR CONFFILE...: the main configuration: what Debian's
# constants.conf defines for the ITL's CheckCommands, the checker (no
# API, no notifications, no IDO), and a PerfdataWriter.
#
# Check results are read back from the PerfdataWriter: it stays in
# icinga2 2.14 (the StatusDataWriter's status.dat is deprecated in 2.13
# and gone in 2.14, the API needs certificates and a port), it writes
# every check result of a service as it comes, and a file only once
# complete: it closes the file, renames it SERVICE_PERFDATA_PATH.TIME
# and opens a new one every rotation_interval.  The output can hold
# newlines (long output): a record is the lines between two markers, the
# output last.
_icinga2_conf() {
    local dir=$1 f
    shift
    cat <<EOF
// Written by tests/monitors.sh
const PluginDir = $(_icinga2_str "${MONITORS_PLUGINS:-/usr/lib/nagios/plugins}")
const ManubulonPluginDir = PluginDir
const PluginContribDir = PluginDir
include <itl>
include <plugins>
object CheckerComponent "checker" { }
object PerfdataWriter "monitors" {
  service_perfdata_path = $(_icinga2_str "$dir/perfdata/service")
  service_temp_path = $(_icinga2_str "$dir/perfdata/service.tmp")
  host_perfdata_path = $(_icinga2_str "$dir/perfdata/host")
  host_temp_path = $(_icinga2_str "$dir/perfdata/host.tmp")
  rotation_interval = 1s
EOF
    # shellcheck disable=SC2016 # icinga2 macros, not ours
    printf '  service_format_template = "%s\\nhost=$host.name$\\nservice=$service.name$\\nstate=$service.state_id$\\nperfdata=$service.perfdata$\\noutput=$service.output$\\n%s"\n}\n' \
        "$_icinga2_begin" "$_icinga2_end"
    for f in "$@"; do
        echo "include $(_icinga2_str "$(_daemons_abs "$f")")"
    done
}

_icinga2_begin="@@monitors.sh check result@@"
_icinga2_end="@@monitors.sh end@@"

# _icinga2_str TEXT: TEXT as an icinga2 string literal.
_icinga2_str() {
    local s=${1//\\/\\\\}
    printf '"%s"' "${s//\"/\\\"}"
}

# _icinga2_checked DIR COUNT: whether COUNT services of DIR have a check
# result.
_icinga2_checked() {
    [ "$(_icinga2_results "$1" count)" -ge "$2" ]
}

# _icinga2_results DIR count | summary | field HOST SERVICE FIELD: the
# number of services with a check result, the last result of each, or
# one field of the last result of one (status 1 if there is none).  The
# files sort by time in the C locale (same number of digits until 2286).
_icinga2_results() {
    local -a files=("$1"/perfdata/service.[0-9]*)
    [ -e "${files[0]}" ] || files=(/dev/null)
    MON_MODE=$2 MON_HOST=${3-} MON_SVC=${4-} MON_FIELD=${5-} \
        MON_BEGIN=$_icinga2_begin MON_END=$_icinga2_end awk '
        $0 == ENVIRON["MON_BEGIN"] { rec = 1; out = 0; split("", r); next }
        $0 == ENVIRON["MON_END"] && rec {
            rec = 0
            k = r["host"] " / " r["service"]
            if (!(k in last)) order[++n] = k
            last[k] = "state=" r["state"] " perfdata=" r["perfdata"] " output=" r["output"]
            if (r["host"] == ENVIRON["MON_HOST"] && r["service"] == ENVIRON["MON_SVC"]) {
                value = r[ENVIRON["MON_FIELD"]]
                found = 1
            }
            next
        }
        rec && out { r["output"] = r["output"] "\n" $0; next }
        rec {
            i = index($0, "=")
            r[substr($0, 1, i - 1)] = substr($0, i + 1)
            out = substr($0, 1, i - 1) == "output"
        }
        END {
            mode = ENVIRON["MON_MODE"]
            if (mode == "count") print n + 0
            if (mode == "summary") {
                if (!n) print "no check result yet"
                for (i = 1; i <= n; i++) print order[i] ": " last[order[i]]
            }
            if (mode == "field") {
                if (found) print value
                exit !found
            }
        }' "${files[@]}"
}

# --------------------------------------------------------------- common

# _monitors_bin KIND: the path of KIND's program.
_monitors_bin() {
    case $1 in
        nagios4 | icinga2) PATH=$PATH:/usr/sbin:/sbin command -v "$1" ;;
        *) return 1 ;;
    esac
}

# _monitors_user: "USER GROUP" the servers run as: nagios, as the
# packages do (nagios4-common creates it, icinga2-common uses it), when
# started as root; otherwise the user running the tests, the only one a
# server can then run as.
_monitors_user() {
    if [ "$(id -u)" = 0 ]; then
        echo "nagios $(id -gn nagios)"
    else
        echo "$(id -un) $(id -gn)"
    fi
}

# _monitors_dir DIR SUBDIR...: creates DIR and its SUBDIRs, gives them to
# the servers' user, search permission on DIR and its parents to
# everyone; prints DIR's absolute path.
_monitors_dir() {
    local dir user group
    dir=$(_daemons_dir "$1") || return 1
    shift
    (cd "$dir" && mkdir -p "$@") || return 1
    if [ "$(id -u)" = 0 ]; then
        read -r user group < <(_monitors_user)
        (cd "$dir" && chown "$user:$group" . "$@") || return 1
    fi
    echo "$dir"
}

# _monitors_abs DIR: DIR's absolute path, as the registry has it.
_monitors_abs() {
    (cd "$1" 2>/dev/null && pwd -P) || { echo "monitors: no directory '$1'" >&2; return 1; }
}

# _monitors_sid KIND DIR: the session of the last KIND started in DIR.
_monitors_sid() {
    local sid kind dir last=
    _daemons_registry
    # shellcheck disable=SC2154 # set by _daemons_registry
    [ -r "$_daemons_reg" ] || return 0
    while read -r sid _ kind dir; do
        [ "$kind" = "$1" ] && [ "$dir" = "$2" ] && last=$sid
    done <"$_daemons_reg"
    echo "$last"
}

# _monitors_until SID SECONDS COMMAND...: runs COMMAND every 0.1 s until
# it succeeds; returns 1 if there is no SID, if that session leader has
# exited or if SECONDS (whole) have passed first, saying which in
# $_monitors_why.
_monitors_until() {
    local sid=$1 secs=$2 deadline
    shift 2
    deadline=$((${EPOCHREALTIME/./} + secs * 1000000))
    _monitors_why=
    until "$@"; do
        if [ -z "$sid" ]; then
            _monitors_why="not running"
        elif ! _daemons_alive "$sid"; then
            _monitors_why=exited
        elif [ "${EPOCHREALTIME/./}" -gt "$deadline" ]; then
            _monitors_why="not done after $secs s"
        fi
        [ -n "$_monitors_why" ] && return 1
        sleep 0.1
    done
}

# _monitors_fail KIND DIR LOG...: says why the KIND of DIR did not start,
# with the end of its LOGs, stops it and returns 1.
_monitors_fail() {
    local kind=$1 dir=$2
    shift 2
    echo "# $kind in $dir: $_monitors_why" >&2
    _daemons_tail "$@"
    daemons_stop "$dir"
    return 1
}
