# Sourced by .ci/install-check and .ci/deb-check, which install facedrop system-wide and remove it
# again. Both refuse to run where facedrop is already installed, so that they never delete an
# administrator's installation. A check that is killed outright (SIGKILL, a lost machine) cannot run
# its own clean-up, and what it half-installed would then block every later check. So each check
# leaves a marker while it holds the machine: a later check that finds the marker of a check that is
# no longer running removes that check's leftovers first, and only then applies its guards.
#
# mark_check NAME   claims the machine for the check NAME (after the guards, before installing);
# unmark_check      releases it (once the check's own clean-up removed everything).

check_marker=/var/tmp/facedrop-ci-check.running

# Removes what an interrupted check left behind, if the marker says a check was interrupted.
# Needs the repository (for `make uninstall`) as the working directory.
recover_interrupted_check() {
    [[ -f "$check_marker" ]] || return 0
    local name pid
    read -r name pid < "$check_marker" || true
    if [[ -n "${pid:-}" ]] && kill -0 "$pid" 2>/dev/null; then
        echo "interrupted-check: FAIL: the check ${name:-?} (pid $pid) is running on this machine" >&2
        exit 1
    fi
    echo "interrupted-check: ${name:-a check} (pid ${pid:-?}) was interrupted; removing what it installed"
    case "$name" in
        deb-check)
            DEBIAN_FRONTEND=noninteractive timeout 120 apt-get -o DPkg::Lock::Timeout=100 purge -y -qq facedrop \
                >/dev/null 2>&1 || dpkg --purge facedrop >/dev/null 2>&1 || true
            ;;
    esac
    # What `make install` may have put in place, whether the interrupted check was this one or the
    # other: both create the same user, groups and folders.
    timeout 60 make --no-print-directory uninstall PURGE=1 >/dev/null 2>&1 || true
    rm -f /usr/bin/facedrop
    rm -rf /etc/facedrop /var/lib/facedrop /srv/facedrop
    userdel facedrop >/dev/null 2>&1 || true
    groupdel facedrop-share >/dev/null 2>&1 || true
    groupdel facedrop >/dev/null 2>&1 || true
    rm -f "$check_marker"
}

mark_check() {
    echo "$1 $$" > "$check_marker"
}

unmark_check() {
    rm -f "$check_marker"
}
