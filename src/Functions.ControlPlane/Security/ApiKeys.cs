using System.Security.Cryptography;
using System.Text;
using Functions.ControlPlane.Hosting;
using Functions.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Security;

/// <summary>
/// Knows the admin and worker keys by their SHA-256 only, and tells which one a caller presented in constant
/// time. The admin key comes from <c>FUNCTIONS_ADMIN_KEY</c>, else <c>Functions:AdminKey</c>, else a key generated
/// on first run whose hash is kept in the database and which is printed to the console once (so every instance and every restart agrees on it).
/// </summary>
internal sealed class ApiKeys(
    IOptions<ControlPlaneOptions> options,
    IServiceScopeFactory scopes,
    TimeProvider time,
    OperatorConsole console,
    ILogger<ApiKeys> logger) : IDisposable
{
    public const string BootstrapName = "admin";

    private readonly byte[]? _workerHash = HashOrNull(options.Value.WorkerKey);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile byte[]? _adminHash = HashOrNull(options.Value.AdminKey);

    /// <summary>Which role the presented key has, or null when it is no key of ours.</summary>
    public async ValueTask<string?> IdentifyAsync(string presented, CancellationToken cancellationToken)
    {
        var hash = Hash(presented);
        var admin = _adminHash ?? await LoadAdminHashAsync(create: false, cancellationToken);
        // Compare against both so the time taken does not tell which key came close.
        var isAdmin = admin is not null && CryptographicOperations.FixedTimeEquals(hash, admin);
        var isWorker = _workerHash is not null && CryptographicOperations.FixedTimeEquals(hash, _workerHash);
        return isAdmin ? ApiKeyRoles.Admin : isWorker ? ApiKeyRoles.Worker : null;
    }

    /// <summary>At start-up: when no admin key is configured, make sure one exists, printing it if it is new.</summary>
    public async Task EnsureAdminKeyAsync(CancellationToken cancellationToken)
    {
        if (_workerHash is null)
        {
            Log.NoWorkerKey(logger);
        }

        if (_adminHash is not null)
        {
            return;
        }

        await LoadAdminHashAsync(create: true, cancellationToken);
    }

    private async Task<byte[]?> LoadAdminHashAsync(bool create, CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_adminHash is not null)
            {
                return _adminHash;
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FunctionsDbContext>();
            var stored = await db.BootstrapKeys.AsNoTracking()
                .Where(k => k.Name == BootstrapName).Select(k => k.Sha256).SingleOrDefaultAsync(cancellationToken);
            if (stored is null && create)
            {
                var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
                    .TrimEnd('=').Replace('+', '-').Replace('/', '_');
                var hash = Hash(key);
                // Two instances bootstrapping at once: the first insert wins, the other reads the winner back.
                var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
                    $"INSERT INTO bootstrap_keys (name, sha256, created_at) VALUES ({BootstrapName}, {hash}, {time.GetUtcNow()}) ON CONFLICT (name) DO NOTHING",
                    cancellationToken);
                if (inserted == 1)
                {
                    // The key itself goes to the console only: log sinks keep what they receive, structured.
                    console.WriteLine(
                        $"Functions control plane: no admin key was configured, so one was generated: {key}\n" +
                        "It is printed only this once (its SHA-256 is kept in the database). Send it as " +
                        "'Authorization: Bearer <key>', or set FUNCTIONS_ADMIN_KEY to a key of your own.");
                    Log.AdminKeyGenerated(logger);
                    stored = hash;
                }
                else
                {
                    stored = await db.BootstrapKeys.AsNoTracking()
                        .Where(k => k.Name == BootstrapName).Select(k => k.Sha256).SingleAsync(cancellationToken);
                }
            }

            _adminHash = stored;
            return stored;
        }
        finally
        {
            _loading.Release();
        }
    }

    public void Dispose() => _loading.Dispose();

    private static byte[]? HashOrNull(string? key) => string.IsNullOrEmpty(key) ? null : Hash(key);

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
