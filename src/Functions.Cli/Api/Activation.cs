namespace Functions.Cli.Api;

/// <summary>The answer to a deploy or rollback: the release now active, at which generation.</summary>
internal sealed record Activation(string App, int Version, long Generation);

/// <summary>The body of <c>POST /api/v1/apps/{name}/rollback</c>.</summary>
internal sealed record RollbackRequest(int Version);
