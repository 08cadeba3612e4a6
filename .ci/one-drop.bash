# Sourced by .ci/install-check and .ci/deb-check: runs an installed facedrop the way its unit would and
# processes one drop through its shared folders. The caller sets $work (a scratch folder), $stem (the
# job's name), $facedrop_bin (the installed binary) and defines say and die; $daemon holds the pid of a
# running daemon, for the caller's cleanup.
daemon=""
service_credentials="" service_state=""

# as_service CMD...: runs CMD the way the unit would: user and group facedrop plus facedrop-share
# (SupplementaryGroups=), no capabilities, UMask=0007, a clean environment with the credential and
# state folders systemd would set ($service_credentials, $service_state). It ends in exec: call it in
# a subshell, `(as_service ...)`, or in the background, where $! is then CMD itself.
as_service() {
    umask 0007
    exec env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME=/nonexistent USER=facedrop \
        CREDENTIALS_DIRECTORY="$service_credentials" STATE_DIRECTORY="$service_state" \
        setpriv --reuid=facedrop --regid=facedrop --init-groups --inh-caps=-all --bounding-set=-all "$@"
}
# as_member CMD...: a person who only belongs to facedrop-share (nobody, with that one group); a subshell too.
as_member() {
    umask 0007
    exec setpriv --reuid=nobody --regid=nogroup --groups="$(getent group facedrop-share | cut -d: -f3)" \
        --inh-caps=-all --bounding-set=-all "$@"
}
# expect_mode PATH MODE OWNER:GROUP
expect_mode() {
    local actual
    actual=$(stat -c '%a %U:%G' "$1")
    [[ "$actual" == "$2 $3" ]] || die "$1 is $actual, expected $2 $3"
    say "$1: $actual"
}

# write_sidecar: $work/$stem.json, the job's sidecar (the photo is the bundled test face).
write_sidecar() {
    cat > "$work/$stem.json" <<'JSON'
{
  "model": "pulid-base",
  "prompt": "studio portrait of an astronaut",
  "seed": 4242
}
JSON
    chmod 0755 "$work"
}

# serve_one_drop UNIT CONF KEY STATE SHARED: what the unit would run, on one installed site: facedrop
# check, then the daemon, one drop by a member of facedrop-share, the outputs' ownership, SIGTERM.
serve_one_drop() {
    local unit=$1 conf=$2 key=$3 state=$4 shared=$5
    say "== $unit: facedrop check and run as the service user, on $conf"
    # What LoadCredential= provides: a private copy of the key that the service user can read.
    service_credentials="$work/credentials-$unit"
    service_state=$state
    mkdir "$service_credentials"
    cp "$key" "$service_credentials/segmind-api-key"
    chown -R facedrop:facedrop "$service_credentials"
    chmod 0400 "$service_credentials/segmind-api-key"
    chmod 0500 "$service_credentials"

    (as_service timeout 30 "$facedrop_bin" check --config "$conf") > "$work/check-$unit.log" 2>&1 \
        || { cat "$work/check-$unit.log" >&2; die "facedrop check failed"; }
    grep -E '^  (base_url|dir|path|outbox) ' "$work/check-$unit.log" | sed 's/^/    /'

    as_service "$facedrop_bin" run --config "$conf" --log-level notice > "$work/daemon-$unit.log" 2>&1 &
    daemon=$!
    # A member of facedrop-share drops the pair: the sidecar first, then the photo.
    (as_member cp "$work/$stem.json" "$shared/inbox/")
    (as_member cp Tests/FacedropTestSupport/Fixtures/astronaut-face.jpg "$shared/inbox/$stem.jpg")
    say "dropped $stem.jpg + $stem.json into $shared/inbox as nobody:facedrop-share"

    local done_folder=$shared/outbox/done/$stem deadline=$((SECONDS + 120))
    until [[ -f "$done_folder/result.json" ]]; do
        if [[ -d "$shared/outbox/failed/$stem" ]]; then
            cat "$shared/outbox/failed/$stem/error.json" >&2 || true
            cat "$work/daemon-$unit.log" >&2
            die "the job failed"
        fi
        kill -0 "$daemon" 2>/dev/null || { cat "$work/daemon-$unit.log" >&2; die "the daemon exited"; }
        [[ $SECONDS -lt $deadline ]] || { cat "$work/daemon-$unit.log" >&2; die "no $done_folder/result.json after 120 s"; }
        sleep 0.2
    done
    say "done: $done_folder"
    find "$done_folder" -printf '    %M %u:%g %6s %P\n'

    # Everything delivered belongs to facedrop-share and is readable by its members, by nobody else.
    local wrong_group not_readable world
    wrong_group=$(find "$done_folder" ! -group facedrop-share)
    [[ -z "$wrong_group" ]] || die "not group facedrop-share: $wrong_group"
    not_readable=$(find "$done_folder" \( -type f ! -perm -g=r \) -o \( -type d ! -perm -g=rx \))
    [[ -z "$not_readable" ]] || die "not group-readable: $not_readable"
    world=$(find "$done_folder" -perm /o=rwx)
    [[ -z "$world" ]] || die "open to others: $world"
    (as_member cat "$done_folder/result.json") > /dev/null || die "a facedrop-share member cannot read result.json"
    say "outputs are facedrop-share, group-readable, closed to others"

    kill -TERM "$daemon"
    local rc=0 stop_deadline=$((SECONDS + 60))
    while kill -0 "$daemon" 2>/dev/null && [[ $SECONDS -lt $stop_deadline ]]; do sleep 0.2; done
    kill -0 "$daemon" 2>/dev/null && die "the daemon did not stop within 60 s of SIGTERM"
    wait "$daemon" || rc=$?
    daemon=""
    [[ $rc -eq 0 ]] || { cat "$work/daemon-$unit.log" >&2; die "the daemon exited with $rc after SIGTERM"; }
    say "SIGTERM: the daemon exited 0"
    (as_service timeout 30 "$facedrop_bin" status --config "$conf") | sed 's/^/    /'
}
