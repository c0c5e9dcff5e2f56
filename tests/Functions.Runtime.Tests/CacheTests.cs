using System.IO.Hashing;
using System.Security.Cryptography;
using Functions.Testing;

namespace Functions.Runtime.Tests;

/// <summary>Compiled modules survive a restart on disk; a bad cache file is recompiled, never a crash.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CacheTests : IDisposable
{
    private readonly DirectoryInfo _cache = Directory.CreateTempSubdirectory("functions-cache-");

    // Few slots: each runtime reserves address space for every slot (4 GiB each by default), and these tests make many.
    private WasmRuntime NewRuntime() => new(new RuntimeOptions { CacheDirectory = _cache.FullName, PoolingTotalInstances = 16 });

    [Fact]
    public async Task A_second_runtime_loads_the_module_from_disk_without_compiling()
    {
        var bytes = Fixtures.Bytes("hello-c");
        using (var first = NewRuntime())
        {
            first.LoadOrCompile("sha256:hello", bytes);
            Assert.Equal(1, first.Stats.Compiles);
        }

        using var second = NewRuntime();
        Assert.True(second.TryLoadCached("sha256:hello", out var module));
        Assert.True(module!.FromCache);
        Assert.Equal(0, second.Stats.Compiles);
        Assert.Equal(1, second.Stats.DiskCacheHits);
        using var pool = second.CreatePool(module, new FunctionSettings { ReadyInstances = 1 });
        Assert.Equal(InvocationOutcome.Completed, (await pool.InvokeAsync(Requests.With())).Outcome);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("empty")]
    public async Task A_corrupt_cache_file_is_replaced_by_a_fresh_compile(string damage)
    {
        var bytes = Fixtures.Bytes("hello-c");
        using (var first = NewRuntime())
        {
            first.LoadOrCompile("sha256:damaged", bytes);
        }

        var file = Directory.GetFiles(_cache.FullName, "*.cwasm", SearchOption.AllDirectories).Single();
        var content = File.ReadAllBytes(file);
        File.WriteAllBytes(file, damage switch
        {
            "garbage" => System.Text.Encoding.UTF8.GetBytes("this is not a compiled module"),
            "truncated" => content[..(content.Length / 2)],
            _ => [],
        });

        using var second = NewRuntime();
        Assert.False(second.TryLoadCached("sha256:damaged", out _));
        var module = second.LoadOrCompile("sha256:damaged", bytes);
        Assert.False(module.FromCache);
        Assert.Equal(1, second.Stats.Compiles);
        using var pool = second.CreatePool(module, new FunctionSettings { ReadyInstances = 1 });
        Assert.Equal(InvocationOutcome.Completed, (await pool.InvokeAsync(Requests.With())).Outcome);
    }

    [Fact]
    public void A_cache_file_with_a_valid_checksum_that_wasmtime_refuses_is_deleted_and_recompiled()
    {
        var bytes = Fixtures.Bytes("hello-wat");
        using (var first = NewRuntime())
        {
            first.LoadOrCompile("sha256:foreign", bytes);
        }

        // Intact framing and HMAC (made with the host's key), but the artifact is not one Wasmtime will load (as from
        // another Wasmtime build).
        var file = Directory.GetFiles(_cache.FullName, "*.cwasm", SearchOption.AllDirectories).Single();
        var payload = System.Text.Encoding.UTF8.GetBytes("\u007fELF but not really a compiled module");
        var key = File.ReadAllBytes(Path.Combine(_cache.FullName, "cache.key"));
        File.WriteAllBytes(file, [.. payload, .. "FNCWASM3"u8, .. BitConverter.GetBytes((long)payload.Length), .. HMACSHA256.HashData(key, payload)]);

        using var second = NewRuntime();
        Assert.False(second.TryLoadCached("sha256:foreign", out _));
        Assert.Equal(1, second.Stats.DiskCacheRejected);
        Assert.False(File.Exists(file));
        second.LoadOrCompile("sha256:foreign", bytes);
        Assert.Equal(1, second.Stats.Compiles);
        Assert.True(File.Exists(file));
    }

    [Theory]
    [InlineData("the old trailer with its XxHash128")]
    [InlineData("the new trailer with a SHA-256")]
    public async Task Another_modules_artifact_put_in_place_with_a_recomputed_checksum_is_refused_and_recompiled(string forgery)
    {
        string victim, other;
        using (var first = NewRuntime())
        {
            first.LoadOrCompile("sha256:victim", Fixtures.Bytes("hello-wat"));
            first.LoadOrCompile("sha256:other", Fixtures.Bytes("trap"));
            victim = Directory.GetFiles(_cache.FullName, "*.cwasm", SearchOption.AllDirectories).Single(f => IsArtifactOf(first, f, "sha256:victim"));
            other = Directory.GetFiles(_cache.FullName, "*.cwasm", SearchOption.AllDirectories).Single(f => f != victim);
        }

        // What a local user who can write the cache but not read its key can do: swap in other native code (here a
        // sound artifact of another module) and recompute every checksum it can.
        var content = File.ReadAllBytes(other);
        var artifact = content[..(int)BitConverter.ToInt64(content, content.Length - 40)];
        File.WriteAllBytes(victim, forgery.Contains("XxHash", StringComparison.Ordinal)
            ? [.. artifact, .. "FNCWASM2"u8, .. BitConverter.GetBytes((long)artifact.Length), .. XxHash128.Hash(artifact)]
            : [.. artifact, .. "FNCWASM3"u8, .. BitConverter.GetBytes((long)artifact.Length), .. SHA256.HashData(artifact)]);

        using var second = NewRuntime();
        Assert.False(second.TryLoadCached("sha256:victim", out _));
        Assert.Equal(1, second.Stats.DiskCacheRejected);
        var module = second.LoadOrCompile("sha256:victim", Fixtures.Bytes("hello-wat"));
        Assert.Equal(1, second.Stats.Compiles);
        using var pool = second.CreatePool(module, new FunctionSettings { ReadyInstances = 0 });
        var result = await pool.InvokeAsync(Requests.With());
        Assert.Equal(InvocationOutcome.Completed, result.Outcome); // hello, not the trap swapped in
    }

    [Fact]
    public void A_new_cache_directory_is_private_and_its_key_readable_by_its_owner_only()
    {
        var directory = Path.Combine(_cache.FullName, "new", "cache");
        using (new WasmRuntime(new RuntimeOptions { CacheDirectory = directory, PoolingTotalInstances = 8, MaxMemoryMbPerInstance = 128 }))
        {
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "cache.key")));
        Assert.Equal(32, new FileInfo(Path.Combine(directory, "cache.key")).Length);
    }

    [Theory]
    [InlineData("directory", "777")]
    [InlineData("directory", "770")]
    [InlineData("key", "644")]
    public void A_cache_open_to_other_users_is_refused_at_start(string what, string mode)
    {
        using (NewRuntime())
        {
        }

        var path = what == "key" ? Path.Combine(_cache.FullName, "cache.key") : _cache.FullName;
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));

        var refused = Assert.Throws<InvalidOperationException>(NewRuntime);
        Assert.Contains($"has mode {mode}, open to other users", refused.Message, StringComparison.Ordinal);
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_cache_directory_owned_by_another_user_is_refused_at_start()
    {
        Skip.IfNot(Environment.UserName == "root", "only root can give a directory to another user");
        Chown("65534", _cache.FullName); // nobody

        var refused = Assert.Throws<InvalidOperationException>(NewRuntime);
        Assert.Contains("is owned by user 65534, not by this process's user 0", refused.Message, StringComparison.Ordinal);
        Chown("0", _cache.FullName);
    }

    private static void Chown(string user, string path)
    {
        using var chown = System.Diagnostics.Process.Start("chown", [user, path])!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    private static bool IsArtifactOf(WasmRuntime runtime, string file, string digest) =>
        Path.GetFileName(file) == Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(digest))) + ".cwasm"
        && Path.GetFileName(Path.GetDirectoryName(file)) == runtime.EngineKey;

    [Fact]
    public void A_module_is_compiled_once_then_served_from_memory()
    {
        using var runtime = NewRuntime();
        var bytes = Fixtures.Bytes("hello-wat");
        var first = runtime.LoadOrCompile("sha256:once", bytes);
        var second = runtime.LoadOrCompile("sha256:once", bytes);
        Assert.Same(first, second);
        Assert.Equal(1, runtime.Stats.Compiles);
        Assert.Equal(1, runtime.Stats.MemoryCacheHits);
        Assert.Equal(1, runtime.Stats.DiskCacheWrites);
    }

    [Fact]
    public void A_digest_that_looks_like_a_path_stays_inside_the_cache_folder()
    {
        using var runtime = NewRuntime();
        runtime.LoadOrCompile("../../escape", Fixtures.Bytes("hello-wat"));
        var files = Directory.GetFiles(_cache.FullName, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".runtime", StringComparison.Ordinal) && Path.GetFileName(f) != "cache.key").ToArray();
        Assert.Single(files);
        Assert.Matches("^[0-9a-f]{64}\\.cwasm$", Path.GetFileName(files[0]));
    }

    [Fact]
    public void The_runtimes_own_modules_are_cached_apart_and_a_damaged_copy_is_compiled_again()
    {
        using (NewRuntime())
        {
        }

        var files = Directory.GetFiles(_cache.FullName, "*.runtime", SearchOption.AllDirectories);
        Assert.Equal(["functions-runtime-self-test-", "functions-runtime-wasi-bridge-"],
            files.Select(f => Path.GetFileName(f)[..^"0123456789abcdef.runtime".Length]).Order(StringComparer.Ordinal));
        var file = files.Single(f => Path.GetFileName(f).StartsWith("functions-runtime-self-test-", StringComparison.Ordinal));
        var length = new FileInfo(file).Length;
        File.WriteAllBytes(file, [1, 2, 3]);

        using (var runtime = NewRuntime())
        {
            Assert.Equal(0, runtime.Stats.Compiles); // the functions' figures do not count it
            Assert.Equal(0, runtime.Stats.DiskCacheRejected);
        }

        Assert.Equal(length, new FileInfo(file).Length);
        Assert.Empty(Directory.GetFiles(_cache.FullName, "*.cwasm", SearchOption.AllDirectories));
    }

    [Fact]
    public void Artifacts_of_an_engine_with_other_settings_live_apart()
    {
        using var small = new WasmRuntime(new RuntimeOptions { CacheDirectory = _cache.FullName, MaxMemoryMbPerInstance = 256 });
        using var large = NewRuntime();
        Assert.NotEqual(small.EngineKey, large.EngineKey);
    }

    public void Dispose() => _cache.Delete(recursive: true);
}
