#!/bin/bash
# http-probe PORT PATH: exits 0 when http://127.0.0.1:PORT/PATH answers with a 2xx status, 1 otherwise.
#
# Docker's HEALTHCHECK needs a command inside the image, and the .NET runtime images ship neither curl nor wget.
# Installing curl would add a package (and its CVEs) to every image just for this; bash, which the Ubuntu-based
# images have, can speak HTTP/1.0 over its /dev/tcp redirection instead. Kubernetes does not use this: its
# httpGet probes come from the kubelet.
set -u
port="${1:?usage: http-probe PORT PATH}"
path="${2:?usage: http-probe PORT PATH}"

if ! exec 3<>"/dev/tcp/127.0.0.1/$port"; then
  echo "http-probe: nothing listens on 127.0.0.1:$port" >&2
  exit 1
fi
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
if ! IFS= read -r -t 5 status <&3; then
  echo "http-probe: no answer from 127.0.0.1:$port$path within 5 s" >&2
  exit 1
fi
status="${status%$'\r'}"
if [[ "$status" =~ ^HTTP/1\.[01]\ 2[0-9][0-9] ]]; then
  exit 0
fi
echo "http-probe: $path answered '$status'" >&2
exit 1
