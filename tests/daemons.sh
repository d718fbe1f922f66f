# Real TLS daemons for the tests: nginx, postfix, INN (nnrpd) and dovecot,
# each a private instance in a directory the test gives (under $T), on
# loopback ports the test chose (tests/tools/freeport), with the
# certificates the test made.  Sourced after tests/lib.sh; defines
# functions only.
#
#   . "$top_srcdir/tests/lib.sh"
#   . "$top_srcdir/tests/daemons.sh"
#   daemons_trap                  # daemons_stop_all on any exit
#   daemons_available nginx || { skip "nginx: $daemons_why"; done_testing; exit; }
#   set -- $(daemons_ports 2)
#   nginx_start "$T/web" "127.0.0.1:$1,www.test,$T/chain.pem,$T/key.pem" ||
#       { echo "Bail out! nginx"; exit 1; }
#
# Every *_start function takes DIR, a directory of the daemon's own
# (created if missing; several instances need several DIRs), and returns
# only once each of its ports accepts a TCP connection and completes a TLS
# handshake (after STARTTLS where the port is a plain one), at most
# DAEMONS_TIMEOUT seconds (default 15) after the start.  On failure it
# prints the end of the daemon's own logs to stderr as "# " lines, stops
# what it started and returns 1.
#
# Each daemon runs in the foreground as the leader of a session of its own
# (setsid), recorded in a file, so that one started in a subshell or in
# $(...) is known too.  Stopping sends TERM to the leader,
# which stops its own children, then TERM to whatever is left of the
# session (nnrpd forks a process per client and leaves them running), KILL
# after 5 s, and returns once no process of the session is left.
#
# Postfix, INN and dovecot need root (they switch to their own users);
# nginx does not (as root, its workers stay root, to read any key).  Processes running as news, postfix, nobody, dovenull and dovecot
# must reach files inside DIR: the start functions give "search" (o+x)
# permission to DIR and to those of its parents that lack it, typically
# $T, which mktemp makes 0700.  Nothing becomes listable or readable.

# daemons_available KIND: whether KIND (nginx, postfix, inn, dovecot) can
# be started here; if not, the reason is in $daemons_why, for a skip.
daemons_available() {
    daemons_why=
    if ! command -v openssl >/dev/null; then
        daemons_why="openssl is not installed"
    elif [ "$1" != nginx ] && [ "$(id -u)" != 0 ]; then
        daemons_why="$1 needs root"
    elif ! _daemons_bin "$1" >/dev/null; then
        daemons_why="$1 is not installed (./bootstrap --test-deps)"
    elif [ "$1" = inn ] && ! id news >/dev/null 2>&1; then
        daemons_why="no user news"
    fi
    [ -z "$daemons_why" ]
}

# daemons_ports N: prints N free loopback TCP ports (free on 127.0.0.1
# and ::1), one a line.
daemons_ports() {
    "${FREEPORT:-$top_builddir/tests/tools/freeport}" "$1"
}

# daemons_trap: makes the test's EXIT trap (lib.sh's, which removes $T)
# stop every daemon first, and makes HUP, INT, TERM and PIPE exit
# through it.
daemons_trap() {
    local prev
    prev=$(trap -p EXIT)
    prev=${prev#"trap -- "}
    prev=${prev%" EXIT"}
    eval "prev=${prev:-''}"
    # Only in the test's own shell: bash also runs the EXIT trap in a
    # subshell (a pipeline's) that set -u kills, where stopping the
    # daemons or removing $T would break the rest of the test.
    # shellcheck disable=SC2064 # the previous trap is expanded now, on purpose
    trap "if [ \"\$BASHPID\" = \"\$\$\" ]; then daemons_stop_all; $prev
fi" EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 141' PIPE
}

# ---------------------------------------------------------------- nginx

# nginx_start DIR SITE...: one nginx serving every SITE, a word
#   ADDR:PORT,NAME,CHAIN,KEY[,OPTION...]
# ADDR is 127.0.0.1 (or another 127.x) or [::1].  Sites on the same
# ADDR:PORT are SNI virtual hosts, the first one being the default (what a
# client without SNI or with an unknown name gets).  The same NAME may be
# given on several addresses with different certificates.  CHAIN is the
# leaf followed by the intermediates to send; KEY its private key.  Paths
# must not contain commas.  OPTIONs:
#   verify[=CAFILE]  demand a client certificate (ssl_verify_client on:
#                    the server sends a CertificateRequest naming the
#                    CAs of CAFILE, default CHAIN); a client without one
#                    still completes the handshake and gets HTTP 400
#   proto=P[:P...]   ssl_protocols, e.g. proto=TLSv1.2 (default
#                    TLSv1.2:TLSv1.3); OpenSSL picks the version before
#                    SNI, so set it on the default site of an ADDR:PORT
# HTTP requests get "200 NAME\n".  Logs: DIR/error.log, DIR/access.log.
nginx_start() {
    local dir listen name chain key opts opt host port
    local -A seen=()
    local -a endpoints=()
    dir=$(_daemons_dir "${1:?nginx_start DIR SITE...}") || return 1
    shift
    [ $# -gt 0 ] || { echo "nginx_start: no SITE" >&2; return 1; }
    {
        _nginx_head "$dir" 1 1024
        for site in "$@"; do
            IFS=, read -r listen name chain key opts <<<"$site"
            if [ -z "$key" ] || ! _daemons_hostport "$listen"; then
                echo "nginx_start: bad SITE '$site'" >&2
                return 1
            fi
            host=$_daemons_host port=$_daemons_port
            echo "  server {"
            if [ -z "${seen[$listen]-}" ]; then
                seen[$listen]=1
                endpoints+=("$host $port tls")
                echo "    listen $listen ssl default_server;"
            else
                echo "    listen $listen ssl;"
            fi
            echo "    server_name $name;"
            echo "    ssl_certificate $(_daemons_abs "$chain");"
            echo "    ssl_certificate_key $(_daemons_abs "$key");"
            IFS=, read -ra opts <<<"$opts"
            for opt in "${opts[@]}"; do
                case $opt in
                    verify) opt=verify=$chain ;&
                    verify=*)
                        echo "    ssl_verify_client on;"
                        echo "    ssl_client_certificate $(_daemons_abs "${opt#verify=}");"
                        ;;
                    proto=*) echo "    ssl_protocols ${opt#proto=};" | tr : ' ' ;;
                    *) echo "nginx_start: unknown option '$opt' in '$site'" >&2; return 1 ;;
                esac
            done
            printf '    location / { return 200 "%s\\n"; }\n' "$name"
            echo "  }"
        done
        echo "}"
    } >"$dir/nginx.conf" || return 1
    _nginx_run "$dir" "${endpoints[@]}"
}

# nginx_start_many DIR CHAIN KEY PORT...: one nginx serving CHAIN on
# 127.0.0.1 on every PORT (hundreds are fine), sized for a thousand
# handshakes at once; for benchmarks.  Only the first port is checked with
# a handshake, the others accept a connection (nginx opens every listening
# socket before it serves any).
nginx_start_many() {
    local dir chain key port n wc
    local -a endpoints=()
    dir=$(_daemons_dir "${1:?nginx_start_many DIR CHAIN KEY PORT...}") || return 1
    chain=$(_daemons_abs "${2:?}") key=$(_daemons_abs "${3:?}")
    shift 3
    n=$#
    # Every worker holds a connection slot per listening socket, plus one
    # per client: room for 2,000 clients beyond the listeners.
    wc=$((n + 2048))
    {
        _nginx_head "$dir" auto "$wc"
        echo "  server {"
        for port in "$@"; do
            echo "    listen 127.0.0.1:$port ssl;"
            if [ ${#endpoints[@]} = 0 ]; then
                endpoints+=("127.0.0.1 $port tls")
            else
                endpoints+=("127.0.0.1 $port tcp")
            fi
        done
        echo "    ssl_certificate $chain;"
        echo "    ssl_certificate_key $key;"
        printf '    location / { return 200 "ok\\n"; }\n'
        echo "  }"
        echo "}"
    } >"$dir/nginx.conf" || return 1
    _nginx_run "$dir" "${endpoints[@]}"
}

# _nginx_head DIR WORKERS CONNECTIONS: the configuration up to the servers.
_nginx_head() {
    cat <<EOF
# Written by tests/daemons.sh
daemon off;
master_process on;
user root;
worker_processes $2;
worker_rlimit_nofile $(($3 * 2 + 64));
pid $1/nginx.pid;
error_log $1/error.log notice;
events {
  worker_connections $3;
  multi_accept on;
}
http {
  access_log $1/access.log;
  client_body_temp_path $1/tmp/body;
  proxy_temp_path $1/tmp/proxy;
  fastcgi_temp_path $1/tmp/fastcgi;
  uwsgi_temp_path $1/tmp/uwsgi;
  scgi_temp_path $1/tmp/scgi;
  default_type text/plain;
  server_names_hash_bucket_size 128;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_session_cache off;
  ssl_session_tickets off;
EOF
}

# _nginx_run DIR ENDPOINT...: starts the nginx of DIR/nginx.conf.
_nginx_run() {
    local dir=$1 nginx
    shift
    nginx=$(_daemons_bin nginx) || { echo "nginx_start: no nginx" >&2; return 1; }
    mkdir -p "$dir/tmp" || return 1
    : >"$dir/error.log"
    _daemons_spawn nginx "$dir" "$dir/nginx.out" \
        "$nginx" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" || return 1
    _daemons_ready nginx "$dir" "$_daemons_sid" "$dir/nginx.out $dir/error.log" "$@"
}

# -------------------------------------------------------------- postfix

# postfix_start DIR CHAIN KEY SMTP_PORT SUBMISSION_PORT SMTPS_PORT [OPTION...]
# A private postfix on 127.0.0.1: SMTP and submission offer STARTTLS, SMTPS
# is TLS from the first byte, all with CHAIN (leaf first) and KEY.  Mail
# for any address is accepted and delivered to the Maildir DIR/Maildir
# (new mail in DIR/Maildir/new/); nothing is ever relayed elsewhere.
# Log: DIR/maillog (and DIR/master.out).  OPTIONs:
#   notls        SMTP and submission offer no STARTTLS (security level none)
#   sasl=SOCKET  offer AUTH PLAIN/LOGIN after STARTTLS on submission and
#                SMTPS, checked by a dovecot auth socket (the one
#                dovecot_start makes: DIR_OF_DOVECOT/run/auth-postfix,
#                users of DIR_OF_DOVECOT/users)
#   authonly     with sasl=: submission takes mail only after STARTTLS
#                and AUTH (as a relay that mails the world would)
#   nochunking   SMTP does not offer CHUNKING: clients send with DATA
postfix_start() {
    local dir chain key smtp sub smtps opt tls=may sasl='' level authonly=''
    local -a endpoints saslopts=() subopts=() smtpopts=()
    dir=$(_daemons_dir "${1:?postfix_start DIR CHAIN KEY SMTP SUBMISSION SMTPS}") || return 1
    chain=$(_daemons_abs "${2:?}") key=$(_daemons_abs "${3:?}")
    smtp=${4:?} sub=${5:?} smtps=${6:?}
    shift 6
    for opt in "$@"; do
        case $opt in
            notls) tls=none ;;
            sasl=*) sasl=${opt#sasl=} ;;
            authonly) authonly=1 ;;
            nochunking) smtpopts=(-o smtpd_discard_ehlo_keywords=chunking) ;;
            *) echo "postfix_start: unknown option '$opt'" >&2; return 1 ;;
        esac
    done
    if [ -n "$sasl" ]; then
        saslopts=(-o smtpd_sasl_auth_enable=yes -o smtpd_sasl_type=dovecot
            -o "smtpd_sasl_path=$sasl" -o smtpd_tls_auth_only=yes)
    fi
    subopts=("${saslopts[@]}")
    if [ -n "$authonly" ]; then
        subopts+=(-o smtpd_tls_security_level=encrypt
            -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
            -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject)
    fi

    _postfix_queue "$dir" || return 1
    # virtual(8) delivers as nobody: postfix refuses uid 0 there.
    mkdir -p "$dir/Maildir/new" "$dir/Maildir/cur" "$dir/Maildir/tmp" &&
        chown -R nobody:nogroup "$dir/Maildir" || return 1

    cat >"$dir/main.cf" <<EOF || return 1
# Written by tests/daemons.sh
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
myhostname = mail.example.test
mydomain = example.test
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
biff = no
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = static:all
virtual_mailbox_base = $dir
virtual_mailbox_maps = static:Maildir/
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
# Nothing leaves this machine: no DNS, no outbound SMTP.
default_transport = error:outbound mail disabled in tests
relay_transport = error:outbound mail disabled in tests
smtp_dns_support_level = disabled
smtpd_tls_chain_files = $key, $chain
smtpd_tls_security_level = $tls
smtpd_tls_loglevel = 1
smtpd_tls_session_cache_database =
smtpd_tls_received_header = yes
EOF
    {
        cat <<EOF
# Written by tests/daemons.sh: every service unchrooted (the queue is not
# set up as a chroot), three listeners on loopback.
127.0.0.1:$smtp inet n - n - - smtpd ${smtpopts[*]}
127.0.0.1:$sub inet n - n - - smtpd -o syslog_name=postfix/submission ${subopts[*]}
127.0.0.1:$smtps inet n - n - - smtpd -o syslog_name=postfix/smtps -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt ${saslopts[*]}
EOF
        # The rest is Debian's master.cf without chroot.
        cat <<'EOF'
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
virtual unix - n n - - virtual
lmtp unix - - n - - lmtp
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
EOF
    } >"$dir/master.cf" || return 1

    # Postfix (postconf too) re-reads a configuration file until it is
    # 2 s old, lest it read one half written: age them.
    touch -d '-1 minute' "$dir/main.cf" "$dir/master.cf" || return 1
    # Its warnings about main.cf: master would only tell syslog.
    postconf -c "$dir" -n >/dev/null 2>"$dir/postconf.out"
    : >"$dir/maillog"
    # master -c, not "postfix -c": postfix(1) refuses a configuration
    # directory that the system main.cf does not list in
    # alternate_config_directories.  -d keeps its stderr for start-up
    # errors; it does not detach anyway.
    _daemons_spawn postfix "$dir" "$dir/master.out" \
        /usr/lib/postfix/sbin/master -c "$dir" -d || return 1
    level=smtp
    [ "$tls" = none ] && level=tcp
    endpoints=("127.0.0.1 $smtp $level" "127.0.0.1 $sub $level" "127.0.0.1 $smtps tls")
    _daemons_ready postfix "$dir" "$_daemons_sid" "$dir/postconf.out $dir/master.out $dir/maillog" "${endpoints[@]}"
}

# _postfix_queue DIR: DIR/queue and DIR/data with the owners and modes
# that postfix-files gives them, as post-install would make them (it
# takes seconds: hundreds of postconf runs).
# shellcheck disable=SC2016 # the file's own "$names", not ours
_postfix_queue() {
    local path type owner group mode rest spec
    local -A dirs=()
    while IFS=: read -r path type owner group mode rest; do
        [ "$type" = d ] || continue
        case $path in
            '$queue_directory'*) path=$1/queue${path#'$queue_directory'} ;;
            '$data_directory') path=$1/data ;;
            *) continue ;;
        esac
        owner=${owner/'$mail_owner'/postfix}
        group=${group/'$setgid_group'/postdrop}
        [ "$group" = - ] && group=root
        dirs["$owner $group $mode"]+=" $path"
    done <"$(postconf -dh meta_directory)/postfix-files"
    # One install(1) per owner and mode, parents (the queue) first.
    for spec in "root root 755" "${!dirs[@]}"; do
        read -r owner group mode <<<"$spec"
        # shellcheck disable=SC2086 # paths without spaces
        install -d -o "$owner" -g "$group" -m "$mode" ${dirs[$spec]-} || return 1
    done
    [ -d "$1/queue/pid" ] || { echo "# postfix_start: no queue made" >&2; return 1; }
}

# ------------------------------------------------------------------ INN

# inn_start DIR CHAIN KEY NNTP_PORT NNTPS_PORT: INN's nnrpd standalone (no
# innd), on 127.0.0.1: NNTP_PORT offers STARTTLS (listed by CAPABILITIES),
# NNTPS_PORT is TLS from the first byte; both serve CHAIN (leaf first) and
# KEY, copied into DIR for the news user.  One group, test.group, readable
# by anyone.  nnrpd logs only to syslog: DIR/nnrpd.out holds whatever it
# writes to stderr, often nothing.
inn_start() {
    local dir chain key nntp nntps nnrpd d
    dir=$(_daemons_dir "${1:?inn_start DIR CHAIN KEY NNTP NNTPS}") || return 1
    chain=${2:?} key=${3:?} nntp=${4:?} nntps=${5:?}
    nnrpd=$(_daemons_bin inn) || { echo "inn_start: no nnrpd" >&2; return 1; }
    for d in etc db run log tmp http spool spool/articles spool/overview \
        spool/incoming spool/outgoing spool/archive; do
        mkdir -p "$dir/$d" || return 1
    done
    # Copies: nnrpd reads them as news, when a client asks for TLS.
    cp "$chain" "$dir/etc/cert.pem" && cp "$key" "$dir/etc/key.pem" &&
        chmod 644 "$dir/etc/cert.pem" && chmod 600 "$dir/etc/key.pem" || return 1

    # Values with spaces must be quoted, or nnrpd exits at start-up,
    # saying why to syslog only.  nnrpdloadlimit 0: no "load too high"
    # refusals on a busy test machine.
    cat >"$dir/etc/inn.conf" <<EOF || return 1
# Written by tests/daemons.sh
mta: "/bin/false %s"
domain: example.test
pathhost: news.example.test
organization: "certprobe test"
ovmethod: tradindexed
hismethod: hisv6
readerswhenstopped: true
nnrpdloadlimit: 0
pathnews: /usr/lib/news
pathbin: /usr/lib/news/bin
pathcontrol: /usr/lib/news/bin/control
pathfilter: $dir/etc/filter
pathetc: $dir/etc
pathdb: $dir/db
pathrun: $dir/run
pathlog: $dir/log
pathhttp: $dir/http
pathspool: $dir/spool
patharticles: $dir/spool/articles
pathoverview: $dir/spool/overview
pathincoming: $dir/spool/incoming
pathoutgoing: $dir/spool/outgoing
patharchive: $dir/spool/archive
pathtmp: $dir/tmp
tlscertfile: $dir/etc/cert.pem
tlskeyfile: $dir/etc/key.pem
EOF
    cat >"$dir/etc/storage.conf" <<'EOF' || return 1
method tradspool {
    newsgroups: *
    class: 0
}
EOF
    cat >"$dir/etc/readers.conf" <<'EOF' || return 1
auth "all" {
    hosts: "*"
    default: "<all>"
}
access "all" {
    users: "<all>"
    newsgroups: "*"
    access: R
}
EOF
    echo "test.group 0000000000 0000000001 y" >"$dir/db/active" &&
        echo "test.group A group for tests." >"$dir/db/newsgroups" &&
        : >"$dir/db/active.times" &&
        chown -R news:news "$dir" || return 1

    # Until the overview has a group index, nnrpd answers every client
    # "400 NNTP server unavailable".
    if ! INNCONF=$dir/etc/inn.conf setpriv --reuid=news --regid=news --init-groups \
        /usr/lib/news/bin/tdx-util -F >"$dir/tdx-util.out" 2>&1; then
        echo "# inn_start: tdx-util -F failed in $dir" >&2
        _daemons_tail "$dir/tdx-util.out"
        return 1
    fi

    # One nnrpd a port; -n: no DNS look-up of clients; -f: foreground, so
    # that it stays in the session we stop.
    _daemons_spawn inn "$dir" "$dir/nnrpd.out" env "INNCONF=$dir/etc/inn.conf" \
        "$nnrpd" -D -f -n -4 127.0.0.1 -p "$nntp" || return 1
    _daemons_ready inn "$dir" "$_daemons_sid" "$dir/nnrpd.out" "127.0.0.1 $nntp nntp" ||
        return 1
    _daemons_spawn inn "$dir" "$dir/nnrpd-tls.out" env "INNCONF=$dir/etc/inn.conf" \
        "$nnrpd" -D -f -n -4 127.0.0.1 -S -p "$nntps" || return 1
    _daemons_ready inn "$dir" "$_daemons_sid" "$dir/nnrpd-tls.out" "127.0.0.1 $nntps tls"
}

# -------------------------------------------------------------- dovecot

# dovecot_start DIR CHAIN KEY IMAP_PORT IMAPS_PORT POP3_PORT POP3S_PORT: a
# private dovecot on 127.0.0.1: IMAP and POP3 offer STARTTLS (not
# required, but plaintext logins are refused before it), IMAPS and POP3S
# are TLS from the first byte, all with CHAIN (leaf first) and KEY.  Users
# are in DIR/users (passwd-file, re-read when it changes): "test",
# password "test", mail in DIR/home/USER/Maildir.  The SASL socket for
# postfix_start's sasl= option is DIR/run/auth-postfix.  Log:
# DIR/dovecot.log (and DIR/dovecot.out).
dovecot_start() {
    local dir chain key imap imaps pop3 pop3s dovecot
    dir=$(_daemons_dir "${1:?dovecot_start DIR CHAIN KEY IMAP IMAPS POP3 POP3S}") || return 1
    chain=$(_daemons_abs "${2:?}") key=$(_daemons_abs "${3:?}")
    imap=${4:?} imaps=${5:?} pop3=${6:?} pop3s=${7:?}
    dovecot=$(_daemons_bin dovecot) || { echo "dovecot_start: no dovecot" >&2; return 1; }
    mkdir -p "$dir/run" "$dir/state" "$dir/home" || return 1
    chown nobody:nogroup "$dir/home" || return 1
    [ -e "$dir/users" ] || echo "test:{PLAIN}test::::::" >"$dir/users" || return 1

    cat >"$dir/dovecot.conf" <<EOF || return 1
# Written by tests/daemons.sh
base_dir = $dir/run
state_dir = $dir/state
instance_name = dovecot-test-$(basename "$dir")
protocols = imap pop3
listen = 127.0.0.1
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
default_login_user = dovenull
default_internal_user = dovecot
ssl = yes
ssl_cert = <$chain
ssl_key = <$key
$([ -r /usr/share/dovecot/dh.pem ] && echo "ssl_dh = </usr/share/dovecot/dh.pem")
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN $dir/users
}
userdb {
  driver = passwd-file
  args = $dir/users
  default_fields = uid=nobody gid=nogroup home=$dir/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    port = $imap
  }
  inet_listener imaps {
    port = $imaps
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $pop3
  }
  inet_listener pop3s {
    port = $pop3s
    ssl = yes
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
EOF
    : >"$dir/dovecot.log"
    _daemons_spawn dovecot "$dir" "$dir/dovecot.out" "$dovecot" -F -c "$dir/dovecot.conf" ||
        return 1
    _daemons_ready dovecot "$dir" "$_daemons_sid" "$dir/dovecot.out $dir/dovecot.log" \
        "127.0.0.1 $imap imap" "127.0.0.1 $imaps tls" \
        "127.0.0.1 $pop3 pop3" "127.0.0.1 $pop3s tls"
}

# ------------------------------------------------------------- stopping

# daemons_stop DIR: stops the instances started in DIR.
daemons_stop() {
    local dir
    dir=$(_daemons_abs "$1")
    _daemons_stop_where dir "$dir"
}

# daemons_stop_all: stops every instance started, whatever its state;
# returns once none of their processes is left (non-zero if one was).
# Only those started by this shell or by a subshell that has ended: bash
# runs the EXIT trap in a subshell too (a pipeline's) when set -u kills
# it, which must not stop the daemons in the middle of the test.
daemons_stop_all() {
    _daemons_stop_where owner "$BASHPID"
}

# _daemons_stop_where dir DIR | owner PID: stops the registered instances
# started in DIR, or by PID or a shell no longer there.
_daemons_stop_where() {
    local reg sid owner kind dir rc=0
    local -a stop=() keep=()
    _daemons_registry
    reg=$_daemons_reg
    [ -s "$reg" ] || return 0
    while read -r sid owner kind dir; do
        if { [ "$1" = dir ] && [ "$dir" = "$2" ]; } ||
            { [ "$1" = owner ] && { [ "$owner" = "$2" ] || ! kill -0 "$owner" 2>/dev/null; }; }; then
            stop+=("$sid")
        else
            keep+=("$sid $owner $kind $dir")
        fi
    done <"$reg"
    [ ${#stop[@]} = 0 ] || _daemons_stop_sessions "${stop[@]}" || rc=1
    if [ ${#keep[@]} = 0 ]; then
        rm -f "$reg"
    else
        printf '%s\n' "${keep[@]}" >"$reg"
    fi
    return $rc
}

# --------------------------------------------------------------- common

# _daemons_registry: sets _daemons_reg, the file listing the instances
# started, "SID OWNER KIND DIR" a line (OWNER: the $BASHPID of the shell
# that started it).  A file, so that an instance started in a subshell
# ($(...), a pipeline) is still stopped by the test's own shell; named by
# that shell's $$ and outside $T, so that it outlives a trap that removes
# $T too early; removed by the stop that empties it.
_daemons_registry() {
    _daemons_reg=${TMPDIR:-/tmp}/certprobe-daemons.$$
}

# _daemons_bin KIND: the path of KIND's main program.
_daemons_bin() {
    local p
    case $1 in
        nginx) p=nginx ;;
        postfix) p=/usr/lib/postfix/sbin/master ;;
        inn) p=/usr/lib/news/bin/nnrpd ;;
        dovecot) p=dovecot ;;
        *) return 1 ;;
    esac
    case $p in
        /*) [ -x "$p" ] && echo "$p" ;;
        *) PATH=$PATH:/usr/sbin:/sbin command -v "$p" ;;
    esac
}

# _daemons_abs PATH: PATH made absolute (the daemons run elsewhere).
_daemons_abs() {
    case $1 in
        /*) echo "$1" ;;
        *) echo "$PWD/$1" ;;
    esac
}

# _daemons_dir DIR: creates DIR, gives search permission on it and its
# parents to the daemons' users, prints its absolute path.
_daemons_dir() {
    local dir d mode name
    local -a up=()
    mkdir -p "$1" && dir=$(cd "$1" && pwd -P) || return 1
    for ((d = ${#dir}; d > 0; d--)); do
        [ "${dir:d:1}" = / ] || [ $d = ${#dir} ] && up+=("${dir:0:d+1}")
    done
    while read -r mode name; do
        case $mode in
            *[xt]) ;;
            *) chmod o+x "$name" || return 1 ;;
        esac
    done < <(stat -c '%A %n' "${up[@]}")
    echo "$dir"
}

# _daemons_hostport ADDR:PORT: sets _daemons_host and _daemons_port.
_daemons_hostport() {
    case $1 in
        \[*\]:[0-9]*) _daemons_host=${1%%]*} _daemons_host=${_daemons_host#[} ;;
        *.*.*.*:[0-9]*) _daemons_host=${1%:*} ;;
        *) return 1 ;;
    esac
    _daemons_port=${1##*:}
}

# _daemons_spawn KIND DIR LOG COMMAND...: starts COMMAND as the leader of
# a new session, stdin from /dev/null, output appended to LOG; registers
# it and sets _daemons_sid.  The leader writes its own pid: $! would be
# setsid's where setsid has to fork (in a shell with job control).
_daemons_spawn() {
    local kind=$1 dir=$2 log=$3 pidf i
    shift 3
    pidf=$dir/.session.$$.$RANDOM
    # nginx's master opens every listening socket: up to the hard limit.
    # shellcheck disable=SC2016 # expanded by that shell
    setsid /bin/sh -c '[ "$1" = nginx ] && ulimit -n "$(ulimit -Hn)" 2>/dev/null
        echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && shift && exec "$@"' \
        "$pidf" "$kind" "$@" </dev/null >>"$log" 2>&1 &
    for ((i = 0; i < 500; i++)); do
        [ -s "$pidf" ] && break
        sleep 0.01
    done
    if ! [ -s "$pidf" ]; then
        echo "# $kind: could not start $1" >&2
        _daemons_tail "$log"
        return 1
    fi
    _daemons_sid=$(<"$pidf")
    rm -f "$pidf"
    _daemons_registry
    echo "$_daemons_sid $BASHPID $kind $dir" >>"$_daemons_reg"
}

# _daemons_ready KIND DIR SID "LOG..." ENDPOINT...: waits until every
# ENDPOINT, "HOST PORT MODE", accepts a connection and, by MODE, completes
# a TLS handshake (tls), does so after STARTTLS (smtp, imap, pop3, nntp),
# or nothing more (tcp).  On failure or timeout, or if the daemon exits,
# shows the LOGs, stops the instance and returns 1.
_daemons_ready() {
    local kind=$1 dir=$2 sid=$3 logs=$4 ep host port mode hp why=
    local -a starttls
    local deadline=$((${EPOCHREALTIME/./} + ${DAEMONS_TIMEOUT:-15} * 1000000))
    shift 4
    for ep in "$@"; do
        read -r host port mode <<<"$ep"
        hp=$host:$port
        case $host in *:*) hp=[$host]:$port ;; esac
        starttls=()
        case $mode in smtp | imap | pop3 | nntp) starttls=(-starttls "$mode") ;; esac
        while :; do
            if _daemons_connect "$host" "$port" &&
                { [ "$mode" = tcp ] ||
                    timeout "$(_daemons_left "$deadline")" \
                        openssl s_client -connect "$hp" "${starttls[@]}" \
                        </dev/null >"$dir/.ready.out" 2>&1; }; then
                break
            elif ! _daemons_alive "$sid"; then
                why="exited"
            elif [ "${EPOCHREALTIME/./}" -gt "$deadline" ]; then
                why="$hp ($mode) not ready after ${DAEMONS_TIMEOUT:-15} s"
            fi
            if [ -n "$why" ]; then
                echo "# $kind in $dir: $why" >&2
                # shellcheck disable=SC2086 # a list of paths without spaces
                _daemons_tail $logs
                # Postfix's master and nnrpd say why they exit to syslog
                # only: the usual reason is a port already in use.
                [ "$why" = exited ] && _daemons_taken "$@"
                [ -s "$dir/.ready.out" ] && [ "$mode" != tcp ] &&
                    echo "# openssl s_client -connect $hp ${starttls[*]} says:" >&2 &&
                    grep -iE "error|didn.t|refused|fail|unable" "$dir/.ready.out" |
                    head -n 5 | sed 's/^/#   /' >&2
                daemons_stop "$dir"
                return 1
            fi
            sleep 0.05
        done
    done
}

# _daemons_left DEADLINE: seconds for one handshake, at most 5, at least
# 1, not much past DEADLINE (microseconds).
_daemons_left() {
    local left=$((($1 - ${EPOCHREALTIME/./}) / 1000000 + 1))
    ((left > 5)) && left=5
    ((left < 1)) && left=1
    echo "$left"
}

# _daemons_taken ENDPOINT...: tells which of the ENDPOINTs of a daemon
# that has exited accept connections all the same: another program's.
_daemons_taken() {
    local ep host port mode
    for ep in "$@"; do
        read -r host port mode <<<"$ep"
        _daemons_connect "$host" "$port" &&
            echo "# $host port $port is in use by another program" >&2
    done
}

# _daemons_connect HOST PORT: whether HOST:PORT accepts a TCP connection
# (bash's /dev/tcp, no process started: hundreds of ports cost nothing).
_daemons_connect() {
    local fd
    { exec {fd}<>"/dev/tcp/$1/$2"; } 2>/dev/null || return 1
    exec {fd}>&-
}

# _daemons_alive PID: whether PID runs (a zombie does not).
_daemons_alive() {
    local line
    { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
    line=${line##*) }
    [ "${line%% *}" != Z ]
}

# _daemons_tail FILE...: the end of each FILE on stderr, as TAP comments.
_daemons_tail() {
    local f
    for f in "$@"; do
        [ -s "$f" ] || continue
        echo "# --- $f" >&2
        tail -n 25 "$f" | sed 's/^/#   /' >&2
    done
}

# _daemons_members SID...: the pids of the live processes of these sessions.
_daemons_members() {
    local f line sids=" $* "
    local -a st
    for f in /proc/[0-9]*/stat; do
        { read -r line <"$f"; } 2>/dev/null || continue
        # After "(comm)", which may hold spaces: state ppid pgrp session.
        read -ra st <<<"${line##*) }"
        [[ $sids == *" ${st[3]} "* ]] && [ "${st[0]}" != Z ] && echo "${f//[^0-9]/}"
    done
}

# _daemons_stop_sessions SID...: stops these sessions, all at once.  TERM
# to each leader first: nginx and dovecot then stop and reap their own
# children (postfix's master leaves its children to init, which reaps
# them); TERM after 0.5 s to whatever the leaders left (nnrpd's clients,
# dovecot's log), KILL after 5 s; returns once none is left (1 if one is,
# after 7 s).
_daemons_stop_sessions() {
    local sid t0 t step=0
    local -a pids
    t0=${EPOCHREALTIME/./}
    kill -TERM "$@" 2>/dev/null
    while :; do
        mapfile -t pids < <(_daemons_members "$@")
        [ ${#pids[@]} = 0 ] && break
        t=$((${EPOCHREALTIME/./} - t0))
        if [ $step = 0 ] && [ $t -gt 500000 ]; then
            step=1
            kill -TERM "${pids[@]}" 2>/dev/null
        elif [ $step = 1 ] && [ $t -gt 5000000 ]; then
            step=2
            echo "# daemons: killing ${pids[*]}" >&2
            kill -KILL "${pids[@]}" 2>/dev/null
        elif [ $t -gt 7000000 ]; then
            break
        fi
        sleep 0.05
    done
    # Reaps the leaders that are our children; bash may already have.
    for sid in "$@"; do
        { wait "$sid"; } 2>/dev/null
    done
    if [ ${#pids[@]} != 0 ]; then
        echo "# daemons: processes left: ${pids[*]}" >&2
        return 1
    fi
}
