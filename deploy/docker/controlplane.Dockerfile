# syntax=docker/dockerfile:1
# The control plane: REST API, Swagger UI, database migrations. Build from the repository root:
#   docker build -f deploy/docker/controlplane.Dockerfile -t functions/controlplane .
# Runs `dotnet Functions.ControlPlane.dll`; `... migrate` applies the migrations and exits.

# The SDK runs on the build machine's own architecture and cross-targets TARGETARCH, so an arm64 image builds
# without emulation (Wasmtime's native library for each RID comes with its NuGet package: nothing native runs here).
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
ARG CONFIGURATION=Release
WORKDIR /src

# Restore from the project files alone: this layer, and the packages in it, survive every source-only change.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Functions.Contracts/Functions.Contracts.csproj src/Functions.Contracts/
COPY src/Functions.Messaging/Functions.Messaging.csproj src/Functions.Messaging/
COPY src/Functions.Data/Functions.Data.csproj src/Functions.Data/
COPY src/Functions.Files/Functions.Files.csproj src/Functions.Files/
COPY src/Functions.Hosting/Functions.Hosting.csproj src/Functions.Hosting/
COPY src/Functions.Modules/Functions.Modules.csproj src/Functions.Modules/
COPY src/Functions.Oci/Functions.Oci.csproj src/Functions.Oci/
COPY src/Functions.Runtime/Functions.Runtime.csproj src/Functions.Runtime/
COPY src/Functions.Wagi/Functions.Wagi.csproj src/Functions.Wagi/
COPY migrations/Functions.Migrations/Functions.Migrations.csproj migrations/Functions.Migrations/
COPY src/Functions.ControlPlane/Functions.ControlPlane.csproj src/Functions.ControlPlane/
RUN dotnet restore src/Functions.ControlPlane/Functions.ControlPlane.csproj -a "$TARGETARCH"

COPY src/Functions.Contracts/ src/Functions.Contracts/
COPY src/Functions.Messaging/ src/Functions.Messaging/
COPY src/Functions.Data/ src/Functions.Data/
COPY src/Functions.Files/ src/Functions.Files/
COPY src/Functions.Hosting/ src/Functions.Hosting/
COPY src/Functions.Modules/ src/Functions.Modules/
COPY src/Functions.Oci/ src/Functions.Oci/
COPY src/Functions.Runtime/ src/Functions.Runtime/
COPY src/Functions.Wagi/ src/Functions.Wagi/
COPY migrations/Functions.Migrations/ migrations/Functions.Migrations/
COPY src/Functions.ControlPlane/ src/Functions.ControlPlane/
RUN dotnet publish src/Functions.ControlPlane/Functions.ControlPlane.csproj -c "$CONFIGURATION" -a "$TARGETARCH" \
      --no-restore -p:UseAppHost=false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app ./
COPY --chmod=0755 deploy/docker/http-probe.sh /usr/local/bin/http-probe
# Functions:VolumesRoot (off unless set) is usually a volume mounted here; created owned by the app user so that
# a fresh named volume inherits that owner.
RUN mkdir -p /srv/functions && chown "$APP_UID:$APP_UID" /srv/functions
# /metrics answers only on the management port (Functions:ManagementUrls), for Prometheus; nothing else answers there.
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Functions__ManagementUrls=http://+:9091
EXPOSE 8080
# The non-root user of the .NET images, by number, so Kubernetes' runAsNonRoot can verify it.
USER $APP_UID
# Docker has one notion of health, used by compose's depends_on: "ready", i.e. the database answers and is migrated.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["http-probe", "8080", "/readyz"]
ENTRYPOINT ["dotnet", "Functions.ControlPlane.dll"]
