# syntax=docker/dockerfile:1
# A worker node: serves every active route from pools of pre-instantiated Wasm modules (Wasmtime).
# Build from the repository root:
#   docker build -f deploy/docker/worker.Dockerfile -t functions/worker .
#
# Wasmtime: the native libwasmtime comes from the Wasmtime NuGet package (runtimes/linux-x64 or linux-arm64,
# picked by -a below); the image needs nothing else. Its pooling allocator reserves virtual address space up
# front (guard regions included, several GiB per memory slot), of which only touched pages become resident:
# do not cap the address space (`ulimit -v`, RLIMIT_AS) and keep the host's vm.overcommit_memory at 0 or 1
# (2 refuses such reservations). Large pools map many regions: raise vm.max_map_count (default 65530) if the
# log shows mmap/mprotect failures. Memory limits (cgroups) count resident pages only and are unaffected.

# The SDK runs on the build machine's own architecture and cross-targets TARGETARCH (no emulation needed).
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
ARG CONFIGURATION=Release
WORKDIR /src

# Restore from the project files alone: this layer, and the packages in it, survive every source-only change.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Functions.Contracts/Functions.Contracts.csproj src/Functions.Contracts/
COPY src/Functions.Messaging/Functions.Messaging.csproj src/Functions.Messaging/
COPY src/Functions.Modules/Functions.Modules.csproj src/Functions.Modules/
COPY src/Functions.Runtime/Functions.Runtime.csproj src/Functions.Runtime/
COPY src/Functions.Wagi/Functions.Wagi.csproj src/Functions.Wagi/
COPY src/Functions.Files/Functions.Files.csproj src/Functions.Files/
COPY src/Functions.Hosting/Functions.Hosting.csproj src/Functions.Hosting/
COPY src/Functions.Worker/Functions.Worker.csproj src/Functions.Worker/
RUN dotnet restore src/Functions.Worker/Functions.Worker.csproj -a "$TARGETARCH"

COPY src/Functions.Contracts/ src/Functions.Contracts/
COPY src/Functions.Messaging/ src/Functions.Messaging/
COPY src/Functions.Modules/ src/Functions.Modules/
COPY src/Functions.Runtime/ src/Functions.Runtime/
COPY src/Functions.Wagi/ src/Functions.Wagi/
COPY src/Functions.Files/ src/Functions.Files/
COPY src/Functions.Hosting/ src/Functions.Hosting/
COPY src/Functions.Worker/ src/Functions.Worker/
RUN dotnet publish src/Functions.Worker/Functions.Worker.csproj -c "$CONFIGURATION" -a "$TARGETARCH" \
      --no-restore -p:UseAppHost=false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app ./
COPY --chmod=0755 deploy/docker/http-probe.sh /usr/local/bin/http-probe
# Module bytes and compiled artifacts survive restarts here when a volume is mounted; created owned by the app
# user so that a fresh named volume inherits that owner.
RUN mkdir -p /var/cache/functions && chown "$APP_UID:$APP_UID" /var/cache/functions
# 8080: invocations, where every path is a function's. 9090: the worker's own /healthz, /readyz and /metrics
# (Worker:ManagementUrls), on every interface of the container so a kubelet or Prometheus can reach it; publish it to
# no one else (it lists every route).
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Worker__ManagementUrls=http://+:9090 \
    Worker__CacheDirectory=/var/cache/functions
EXPOSE 8080 9090
# The non-root user of the .NET images, by number, so Kubernetes' runAsNonRoot can verify it.
USER $APP_UID
# Docker has one notion of health, used by compose's depends_on: "ready", i.e. synced with the control plane.
HEALTHCHECK --interval=5s --timeout=5s --start-period=30s --retries=3 CMD ["http-probe", "9090", "/readyz"]
ENTRYPOINT ["dotnet", "Functions.Worker.dll"]
