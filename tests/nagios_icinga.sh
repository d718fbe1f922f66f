#!/bin/bash
# check_cert_expiry inside real monitoring engines, with the definitions
# we ship as they are: a private nagios4 runs
# contrib/nagios/check_cert_expiry.cfg, a private icinga2
# contrib/icinga2/check_cert_expiry.conf, each against local endpoints
# (one OK, one WARNING, one CRITICAL, one unreachable). What each engine
# recorded (state, status text, perfdata) must be what the plugin says
# when run by hand. The example service files must load too.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/daemons.sh"
. "$top_srcdir/tests/monitors.sh"
daemons_trap

PLUGIN=$top_builddir/plugins/check_cert_expiry
CONTRIB=$top_srcdir/contrib
daemons_available nginx ||
    { echo "Bail out! nginx: $daemons_why (./bootstrap --test-deps installs it)"; exit 1; }
for kind in nagios4 icinga2; do
    monitors_available "$kind" ||
        { echo "Bail out! $kind: $monitors_why (./bootstrap --test-deps installs it)"; exit 1; }
done
# The engines run our build's plugin, as the user nagios.
export MONITORS_PLUGINS=$top_builddir/plugins

DAY=86400
NOW=$(date +%s)
CA=$T/root.pem
"$MKCERT" -o "$CA" -k "$T/root.key" -s "/CN=Test Root" --ca --not-after @$((NOW + 400 * DAY)) ||
    { echo "Bail out! mkcert"; exit 1; }
for c in ok.test:60 warn.test:20 crit.test:5; do
    name=${c%:*}
    mkcert -o "$T/$name.pem" -s "/CN=$name" --san "DNS:$name" --ca-key "$T/root.key" \
        --ca-cert "$CA" --not-after @$((NOW + ${c#*:} * DAY + DAY / 2))
    cat "$T/$name.pem" "$CA" >"$T/$name.chain"
done
set -- $(daemons_ports 2)
WEB=$1 CLOSED=$2
nginx_start "$T/nginx" \
    "127.0.0.1:$WEB,ok.test,$T/ok.test.chain,$KEY" \
    "127.0.0.1:$WEB,warn.test,$T/warn.test.chain,$KEY" \
    "127.0.0.1:$WEB,crit.test,$T/crit.test.chain,$KEY" ||
    { echo "Bail out! nginx"; exit 1; }

# The services: name, port, SNI name; the state each must end in. (Half
# a day past whole days: the days left are the same when the engine runs
# the check and when the test does.)
SERVICES="ok:$WEB:ok.test:0 warn:$WEB:warn.test:1 crit:$WEB:crit.test:2 down:$CLOSED:ok.test:2"

# fn COMMAND...: run, for the shell functions of monitors.sh (bounded by
# their own timeouts).
fn() {
    "$@" >"$T/.out" 2>"$T/.err"
    rc=$?
    out=$(cat "$T/.out")
    err=$(cat "$T/.err")
}

# by_hand PORT NAME: the plugin's output, run as the definitions run it.
by_hand() {
    "$PLUGIN" -H 127.0.0.1 -P https -w 30 -c 14 -p "$1" --cafile "$CA" --sni "$2"
}
# engine_agrees ENGINE SERVICE STATE TEXT PERF WANT_STATE PORT NAME: one
# test point each for the state, the status text and the perfdata.
engine_agrees() {
    local engine=$1 svc=$2 state=$3 text=$4 perf=$5 want=$6 line
    line=$(by_hand "$7" "$8" | head -n 1)
    check "$engine $svc: state $state, wanted $want" test "$state" = "$want"
    if [ "$text" = "${line%% | *}" ]; then ok "$engine $svc: the status text"; else
        not_ok "$engine $svc: the status text"; echo "# $engine: '$text'"; echo "# plugin: '${line%% | *}'"; fi
    if [ "$perf" = "${line#* | }" ]; then ok "$engine $svc: the perfdata ($perf)"; else
        not_ok "$engine $svc: the perfdata"; echo "# $engine: '$perf'"; echo "# plugin: '${line#* | }'"; fi
}

# --- nagios4
NAGIOS_OBJ="/etc/nagios4/objects/templates.cfg /etc/nagios4/objects/timeperiods.cfg
    /etc/nagios4/objects/contacts.cfg /etc/nagios4/objects/commands.cfg"
# The example's hosts, as a configuration would have them.
for h in www.example.com mail.example.com; do
    printf 'define host {\n    use generic-host\n    host_name %s\n    address 192.0.2.1\n    max_check_attempts 1\n    contact_groups admins\n    active_checks_enabled 0\n}\n' "$h"
done >"$T/example-hosts.cfg"
fn nagios_verify "$T/nv" $NAGIOS_OBJ "$CONTRIB/nagios/check_cert_expiry.cfg" \
    "$CONTRIB/nagios/services.cfg.example" "$T/example-hosts.cfg"
expect_rc 0 "nagios4 -v accepts contrib/nagios: the commands and the example services"
expect_out "Total Errors:   0" "with no error"
expect_out "Total Warnings: 0" "and no warning"

{
    echo "define host {"
    echo "    use generic-host"
    echo "    host_name cert.test"
    echo "    address 127.0.0.1"
    echo "    max_check_attempts 1"
    echo "    contact_groups admins"
    echo "    active_checks_enabled 0"
    echo "}"
    for s in $SERVICES; do
        IFS=: read -r svc port name _ <<<"$s"
        echo "define service {"
        echo "    use generic-service"
        echo "    host_name cert.test"
        echo "    service_description $svc"
        echo "    check_command check_cert_expiry!https!30!14!-p $port --cafile $CA --sni $name"
        echo "    max_check_attempts 1"
        echo "    check_interval 3600"
        echo "}"
    done
} >"$T/nagios-services.cfg"
fn nagios_start "$T/nagios" $NAGIOS_OBJ "$CONTRIB/nagios/check_cert_expiry.cfg" \
    "$T/nagios-services.cfg"
expect_rc 0 "nagios4 starts with contrib/nagios/check_cert_expiry.cfg"
fn nagios_wait "$T/nagios" 4 30
expect_rc 0 "nagios4 has run the four checks"
for s in $SERVICES; do
    IFS=: read -r svc port name want <<<"$s"
    engine_agrees nagios4 "$svc" "$(nagios_field "$T/nagios" cert.test "$svc" current_state)" \
        "$(nagios_field "$T/nagios" cert.test "$svc" plugin_output)" \
        "$(nagios_field "$T/nagios" cert.test "$svc" performance_data)" "$want" "$port" "$name"
done
long=$(nagios_field "$T/nagios" cert.test warn long_plugin_output)
check "nagios4 keeps the long output: the line per address ($long)" \
    test "$long" = "HTTPS 127.0.0.1:$WEB [127.0.0.1]: WARNING notAfter=$(enddate "$T/warn.test.pem") (20 days)"
daemons_stop "$T/nagios"

# --- icinga2
# The CheckCommand offers every option of the plugin (but -h and -V),
# each with a description, and nothing else.
opts=$("$PLUGIN" -h | sed -n '/^Options:/,/^$/{
    s/^  \(-[A-Za-z0-9]\), .*/\1/p
    s/^      \(--[a-z-]*\).*/\1/p
}' | grep -vx -e -h -e -V | sort)
args=$(sed -n 's/^\t\t"\(-[^"]*\)" = {$/\1/p' "$CONTRIB/icinga2/check_cert_expiry.conf" | sort)
check "the CheckCommand's arguments are the plugin's options ($(echo $args))" \
    test -n "$opts" -a "$opts" = "$args"
check "each with a description" test "$(grep -c $'^\t\t\tdescription = "' "$CONTRIB/icinga2/check_cert_expiry.conf")" = "$(echo "$args" | wc -l)"
cat >"$T/icinga2-hosts.conf" <<'EOF'
// The hosts of the example's comment, and the templates a default
// install has in conf.d/templates.conf.
template Host "generic-host" { check_command = "dummy"; enable_active_checks = false }
template Service "generic-service" { max_check_attempts = 1 }
object Host "mail.example.com" {
  import "generic-host"
  address = "192.0.2.25"
  vars.cert_protocols = [ "smtp", "submission", "imap" ]
}
object Host "www.example.com" {
  import "generic-host"
  address = "192.0.2.10"
  vars.cert_vhosts = {
    "www.example.com" = {}
    "shop.example.com" = { cert_expiry_port = 8443 }
  }
}
EOF
fn icinga2_validate "$T/iv" "$CONTRIB/icinga2/check_cert_expiry.conf" \
    "$CONTRIB/icinga2/services.conf.example" "$T/icinga2-hosts.conf"
expect_rc 0 "icinga2 daemon -C accepts contrib/icinga2: the CheckCommand and the example apply rules"
expect_out "Instantiated 5 Services" "the apply rules make a service per protocol and per virtual host"

{
    echo 'template Host "generic-host" { check_command = "dummy"; enable_active_checks = false }'
    echo 'object Host "cert.test" { import "generic-host"; address = "127.0.0.1" }'
    for s in $SERVICES; do
        IFS=: read -r svc port name _ <<<"$s"
        echo "object Service \"$svc\" {"
        echo '  host_name = "cert.test"'
        echo '  check_command = "cert_expiry"'
        echo '  check_interval = 1s'
        echo '  max_check_attempts = 1'
        echo "  vars.cert_expiry_port = $port"
        echo "  vars.cert_expiry_cafile = \"$CA\""
        echo "  vars.cert_expiry_sni = \"$name\""
        echo '  vars.cert_expiry_warn = 30'
        echo '  vars.cert_expiry_crit = 14'
        echo "}"
    done
} >"$T/icinga2-services.conf"
fn icinga2_start "$T/icinga2" "$CONTRIB/icinga2/check_cert_expiry.conf" "$T/icinga2-services.conf"
expect_rc 0 "icinga2 starts with contrib/icinga2/check_cert_expiry.conf"
fn icinga2_wait "$T/icinga2" 4 30
expect_rc 0 "icinga2 has run the four checks"
for s in $SERVICES; do
    IFS=: read -r svc port name want <<<"$s"
    output=$(icinga2_field "$T/icinga2" cert.test "$svc" output)
    first=${output%%$'\n'*}
    engine_agrees icinga2 "$svc" "$(icinga2_field "$T/icinga2" cert.test "$svc" state)" \
        "${first% }" "$(icinga2_field "$T/icinga2" cert.test "$svc" perfdata)" "$want" "$port" "$name"
done
daemons_stop "$T/icinga2"

done_testing
