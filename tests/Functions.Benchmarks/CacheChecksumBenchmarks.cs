using System.IO.Hashing;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace Functions.Benchmarks;

/// <summary>
/// What the disk cache's integrity check costs per artifact load: the HMAC-SHA256 under the host's key that the cache
/// uses (no other local user can forge it) against the XxHash128 it replaced (anyone can recompute it). Artifacts of
/// the C hello (≈ 81 KiB) and of <c>big</c> (≈ 2.8 MB), serialized by the runtime's Wasmtime.
/// </summary>
public class CacheChecksumBenchmarks
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _hash = new byte[32];
    private byte[] _artifact = null!;

    [Params("hello-c", "big")]
    public string Fixture { get; set; } = "hello-c";

    [GlobalSetup]
    public void Setup()
    {
        using var engine = new Wasmtime.Engine();
        using var module = Wasmtime.Module.FromFile(engine, FixtureFiles.Path(Fixture));
        _artifact = module.Serialize();
    }

    [Benchmark(Baseline = true, Description = "XxHash128")]
    public int XxHash()
    {
        XxHash128.Hash(_artifact, _hash);
        return _hash[0];
    }

    [Benchmark(Description = "HMAC-SHA256")]
    public int Hmac()
    {
        HMACSHA256.HashData(_key, _artifact, _hash);
        return _hash[0];
    }
}
