#!/usr/bin/env bash
# A hot folder for Segmind's face models as a shell user would write it, with inotifywait, curl and jq.
#
# inotifywait reports every file closed after writing or moved into an inbox. Once <stem>.<jpg|jpeg|png|webp>
# and <stem>.json are both there (and the pose the sidecar's "pose_image" names, if any), a background job
# builds the body with jq (the sidecar's parameters, the face and pose as base64), submits it with curl,
# polls the status every second, fetches the result and downloads the images; <outbox>/<stem>/ then appears
# whole by a rename, holding the images, input/ (the dropped files) and result.json. A failure leaves
# <outbox>/failed/<stem>/error.json. At most MAX_JOBS (default 4) jobs run at once. Files already in an
# inbox at start are taken too. The key is read from SEGMIND_API_KEY and passed to curl in a header file,
# never on a command line.
#
#   SEGMIND_API_KEY=... bench/peers/bash_hotfolder.sh BASE_URL OUTBOX INBOX...
set -uo pipefail

[ $# -ge 3 ] || { echo "usage: $0 BASE_URL OUTBOX INBOX..." >&2; exit 64; }
[ -n "${SEGMIND_API_KEY:-}" ] || { echo "SEGMIND_API_KEY is not set" >&2; exit 64; }
base=${1%/}
outbox=$2
shift 2
inboxes=("$@")
max_jobs=${MAX_JOBS:-4}
default_model=${DEFAULT_MODEL:-flux-pulid}

mkdir -p "$outbox/.claims" "$outbox/failed"
private=$(mktemp -d)
trap 'rm -rf "$private"' EXIT
(umask 077 && printf 'x-api-key: %s\n' "$SEGMIND_API_KEY" >"$private/key-header")

# fail STEM WORK MESSAGE FILE...: error.json and the inputs into failed/<stem>.
fail() {
    local stem=$1 work=$2 message=$3
    shift 3
    local dest="$outbox/failed/$stem"
    [ -e "$dest" ] && dest="$dest-$$-$RANDOM"
    mkdir -p "$dest"
    jq -n --arg job "$stem" --arg error "$message" '{job: $job, error: $error}' >"$dest/error.json"
    for file in "$@"; do [ -e "$file" ] && mv "$file" "$dest/"; done
    rm -rf "$work"
    echo "$stem: $message" >&2
}

# process FOLDER STEM FACE SIDECAR: one job, start to finish.
process() {
    local folder=$1 stem=$2 face=$3 sidecar=$4
    local work model field pose="" flag="" response id status_url response_url status waited=0 number=0 url
    local inputs=("$face" "$sidecar")
    work=$(mktemp -d "$outbox/.work.XXXXXX")
    model=$(jq -r '.model // empty' "$sidecar") || { fail "$stem" "$work" "the sidecar is not JSON" "$face" "$sidecar"; return; }
    model=${model:-$default_model}
    case $model in
        flux-pulid) field=main_face_image ;;
        *) field=face_image ;;
    esac
    case $model in
        consistent-character-with-pose) flag=base_64 ;;
        instantid) flag=base64 ;;
    esac
    base64 -w0 "$face" >"$work/face.b64"
    : >"$work/pose.b64"
    local pose_name
    pose_name=$(jq -r '.pose_image // empty' "$sidecar")
    if [ -n "$pose_name" ]; then
        pose="$folder/$pose_name"
        inputs+=("$pose")
        base64 -w0 "$pose" >"$work/pose.b64" || { fail "$stem" "$work" "the pose $pose_name is missing" "$face" "$sidecar"; return; }
    fi
    jq -n --arg field "$field" --arg flag "$flag" --rawfile face "$work/face.b64" --rawfile pose "$work/pose.b64" \
        --slurpfile sidecar "$sidecar" '
        ($sidecar[0] | del(.model, .facedrop)) + {($field): $face}
        + (if $pose != "" then {pose_image: $pose} else {} end)
        + (if $flag != "" then {($flag): false} else {} end)' >"$work/body.json"

    response=$(curl -sS --fail-with-body -H @"$private/key-header" -H 'Content-Type: application/json' \
        --data-binary @"$work/body.json" "$base/v2/$model") || { fail "$stem" "$work" "submit: $response" "${inputs[@]}"; return; }
    id=$(jq -r '.request_id' <<<"$response")
    status_url=$(jq -r '.status_url' <<<"$response")
    response_url=$(jq -r '.response_url' <<<"$response")

    while :; do
        status=$(curl -sS -H @"$private/key-header" "$status_url" | jq -r '.status // "ERROR"')
        case $status in
            COMPLETED) break ;;
            FAILED | ERROR) fail "$stem" "$work" "request $id ended $status" "${inputs[@]}"; return ;;
        esac
        if [ $((waited += 1)) -gt 600 ]; then
            fail "$stem" "$work" "request $id still $status after 600 s" "${inputs[@]}"
            return
        fi
        sleep 1
    done

    mkdir -p "$work/out/input"
    curl -sS --fail-with-body -H @"$private/key-header" -o "$work/out/result.json" "$response_url" \
        || { fail "$stem" "$work" "result of $id could not be fetched" "${inputs[@]}"; return; }
    while IFS= read -r url; do
        number=$((number + 1))
        curl -sS --fail -o "$work/out/$stem-$number.${url##*.}" "$url" \
            || { fail "$stem" "$work" "download of $url failed" "${inputs[@]}"; return; }
    done < <(jq -r 'if (.images // []) != [] then .images[].url elif (.output | type) == "string" then .output else .output[] end' "$work/out/result.json")
    mv "${inputs[@]}" "$work/out/input/"
    local dest="$outbox/$stem"
    [ -e "$dest" ] && dest="$dest-$$-$RANDOM"
    mv "$work/out" "$dest"
    rm -rf "$work"
}

# consider PATH: starts the job PATH completes, if any.
consider() {
    local path=$1 folder name stem face="" sidecar pose_name
    folder=${path%/*}
    name=${path##*/}
    case $name in
        .* | *.tmp | *.part | *.partial | *.crdownload | *.swp) return ;;
        *.json) stem=${name%.json} ;;
        *.jpg | *.jpeg | *.png | *.webp) stem=${name%.*} ;;
        *) return ;;
    esac
    sidecar="$folder/$stem.json"
    if [ ! -f "$sidecar" ]; then
        # Perhaps the pose of a pair waiting for it: <stem>.pose.<ext>.
        case $stem in *.pose) consider "$folder/${stem%.pose}.json" ;; esac
        return
    fi
    for extension in jpg jpeg png webp; do
        [ -f "$folder/$stem.$extension" ] && { face="$folder/$stem.$extension"; break; }
    done
    [ -n "$face" ] || return
    pose_name=$(jq -r '.pose_image // empty' "$sidecar" 2>/dev/null) || return  # not complete JSON yet
    [ -z "$pose_name" ] || [ -f "$folder/$pose_name" ] || return
    mkdir "$outbox/.claims/$(printf '%s' "$folder/$stem" | md5sum | cut -c1-32)" 2>/dev/null || return
    while [ "$(jobs -rp | wc -l)" -ge "$max_jobs" ]; do wait -n; done
    process "$folder" "$stem" "$face" "$sidecar" &
}

exec {events}< <(exec inotifywait -m -e close_write -e moved_to --format '%w%f' "${inboxes[@]}" 2>"$private/inotifywait.log")
watcher=$!
trap 'kill $watcher $(jobs -p) 2>/dev/null; rm -rf "$private"' EXIT
trap 'exit 143' TERM INT
for _ in $(seq 1 100); do
    grep -q "Watches established" "$private/inotifywait.log" 2>/dev/null && break
    sleep 0.1
done
for inbox in "${inboxes[@]}"; do
    for file in "$inbox"/*.json; do [ -e "$file" ] && consider "$file"; done
done
echo "watching ${#inboxes[@]} inboxes"
while IFS= read -r -u "$events" path; do
    consider "$path"
done
wait
