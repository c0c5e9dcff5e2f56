namespace Functions.Runtime.Tests;

/// <summary>Volumes: read-only unless writable, and no path leads out of a mapped directory.</summary>
public sealed class IsolationTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>, IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("functions-volume-");

    private string Data => Path.Combine(_root.FullName, "data");

    private string Outside => Path.Combine(_root.FullName, "outside");

    private FunctionSettings Settings(string name, bool writable = false) => new()
    {
        Name = name,
        ReadyInstances = 1,
        Volumes = [new Volume("/data", Data, writable)],
    };

    private void Prepare()
    {
        Directory.CreateDirectory(Data);
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Data, "hello.txt"), "hello from the volume\n");
        File.WriteAllText(Path.Combine(Outside, "passwd"), "secret\n");
        File.CreateSymbolicLink(Path.Combine(Data, "inside-link"), "hello.txt");
        File.CreateSymbolicLink(Path.Combine(Data, "escape-link"), Path.Combine(Outside, "passwd"));
        Directory.CreateSymbolicLink(Path.Combine(Data, "escape-dir"), Outside);
    }

    [Fact]
    public async Task A_mapped_directory_is_readable()
    {
        Prepare();
        using var pool = fixture.Pool("readfile", Settings("readfile"));
        var result = await pool.InvokeAsync(Requests.With(("FILE_PATH", "/data/hello.txt")));
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.EndsWith("hello from the volume\n", result.Text());
    }

    [Fact]
    public async Task A_read_only_volume_refuses_writes()
    {
        Prepare();
        using var pool = fixture.Pool("readfile", Settings("readfile"));
        var result = await pool.InvokeAsync(Requests.With(("FILE_PATH", "/data/hello.txt"), ("WRITE_PATH", "/data/new.txt")));
        Assert.DoesNotContain("X-Write: ok", result.Text());
        Assert.False(File.Exists(Path.Combine(Data, "new.txt")));
    }

    [Fact]
    public async Task A_writable_volume_takes_writes()
    {
        Prepare();
        using var pool = fixture.Pool("readfile", Settings("readfile", writable: true));
        foreach (var content in new[] { "written", "written again" })
        {
            var result = await pool.InvokeAsync(Requests.With(("FILE_PATH", "/data/new.txt"), ("WRITE_PATH", "/data/new.txt"), ("WRITE_CONTENT", content)));
            Assert.Contains("X-Write: ok", result.Text());
            Assert.EndsWith("\n" + content, result.Text()); // the file read back, on stdout
            Assert.Equal(content, File.ReadAllText(Path.Combine(Data, "new.txt")));
        }
    }

    [Fact]
    public async Task Without_a_volume_no_file_is_visible()
    {
        using var pool = fixture.Pool("readfile", new FunctionSettings { Name = "readfile", ReadyInstances = 1 });
        var result = await pool.InvokeAsync(Requests.With(("FILE_PATH", "/etc/passwd")));
        Assert.DoesNotContain("root:", result.Text());
        Assert.NotEqual(InvocationOutcome.Completed, result.Outcome);
    }

    [Fact]
    public async Task Every_escape_attempt_is_denied_while_the_controls_inside_succeed()
    {
        Prepare();
        using var pool = fixture.Pool("escape", Settings("escape", writable: true));
        var result = await pool.InvokeAsync(Requests.With(("HOST_DIR", Outside)));
        var lines = result.Text().Split('\n').Where(l => l.Contains(": ", StringComparison.Ordinal)).ToDictionary(
            l => l[..l.IndexOf(':', StringComparison.Ordinal)], l => l[(l.IndexOf(':', StringComparison.Ordinal) + 2)..]);
        Assert.Equal("OPENED", lines["inside"]);
        Assert.Equal("OPENED", lines["symlink-inside"]);
        var escapes = lines.Where(l => l.Key is not "inside" and not "symlink-inside" && l.Value is "OPENED" or "denied").ToList();
        Assert.True(escapes.Count >= 10, $"expected at least 10 escape attempts, saw: {result.Text()}");
        Assert.All(escapes, e => Assert.True(e.Value == "denied", $"{e.Key} escaped the volume"));
        Assert.False(File.Exists(Path.Combine(Outside, "created")) || Directory.GetFiles(Outside).Length > 1);
    }

    [Fact]
    public async Task Without_volumes_the_module_has_no_descriptor_beyond_stdio_and_no_socket()
    {
        // fd_prestat_get(3) finds no preopen and sock_accept(3) no socket: both EBADF (8). Exit code: 10 * first + second.
        const string wat = """
            (module
              (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start")
                (call $exit (i32.add
                  (i32.mul (call $prestat (i32.const 3) (i32.const 16)) (i32.const 10))
                  (call $accept (i32.const 3) (i32.const 0) (i32.const 32))))))
            """;
        var module = fixture.Runtime.LoadOrCompile("sha256:nofds", Wasmtime.Module.ConvertText(wat));
        var result = await fixture.Runtime.RunOnceAsync(module, new FunctionSettings(), Requests.With());
        Assert.Equal(InvocationOutcome.ExitedWithError, result.Outcome);
        Assert.Equal(88, result.ExitCode);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
