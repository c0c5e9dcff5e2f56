# syntax=docker/dockerfile:1
# The `functions` command-line client. Build from the repository root:
#   docker build -f deploy/docker/cli.Dockerfile -t functions/cli .
#   docker run --rm -e FUNCTIONS_URL=http://host:5080 -e FUNCTIONS_ADMIN_KEY=... -v "$PWD:/work" functions/cli apps list
# It reads files (modules, modules.toml) relative to /work, where the compose file mounts the checkout.

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
ARG CONFIGURATION=Release
WORKDIR /src

# Restore from the project files alone: this layer, and the packages in it, survive every source-only change.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Functions.Contracts/Functions.Contracts.csproj src/Functions.Contracts/
COPY src/Functions.Files/Functions.Files.csproj src/Functions.Files/
COPY src/Functions.Oci/Functions.Oci.csproj src/Functions.Oci/
COPY src/Functions.Cli/Functions.Cli.csproj src/Functions.Cli/
RUN dotnet restore src/Functions.Cli/Functions.Cli.csproj -a "$TARGETARCH"

COPY src/Functions.Contracts/ src/Functions.Contracts/
COPY src/Functions.Files/ src/Functions.Files/
COPY src/Functions.Oci/ src/Functions.Oci/
COPY src/Functions.Cli/ src/Functions.Cli/
RUN dotnet publish src/Functions.Cli/Functions.Cli.csproj -c "$CONFIGURATION" -a "$TARGETARCH" \
      --no-restore -p:UseAppHost=false -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS final
WORKDIR /app
COPY --from=build /app ./
WORKDIR /work
USER $APP_UID
# A command that runs and exits: there is nothing to probe.
HEALTHCHECK NONE
ENTRYPOINT ["dotnet", "/app/functions.dll"]
