using System.Security.Cryptography;
using System.Text;
using Functions.Testing;

namespace Functions.Runtime.Tests.Conformance;

/// <summary>
/// The prebuilt WASI preview1 modules of WebAssembly/wasi-testsuite (<c>shared/corpus/wasi-testsuite</c>), each run
/// once through <see cref="WasmRuntime.RunOnceAsync"/> the way the suite's wasmtime adapter runs them: argv is the
/// program name then the spec's args, the environment is exactly the spec's, and the spec's root directory is
/// preopened as the guest's <c>/</c>, writable. The root is a fresh copy per run (without earlier runs'
/// <c>*.cleanup</c> artifacts): the tests write into it, and the shared corpus is never modified.
/// </summary>
public sealed class WasiTestSuiteTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    private const string Suite = "wasi-testsuite";
    private const string NoCorpus = "(corpus absent)";

    /// <summary>How many modules the corpus README documents (c/ 14, assemblyscript/ 12).</summary>
    private const int DocumentedModules = 26;

    /// <summary>One case per module, named <c>c/lseek</c>; one placeholder that skips when the corpus is not there.</summary>
    public static TheoryData<string> Modules()
    {
        var data = new TheoryData<string>();
        var folder = Path.Combine(RepoPaths.Corpus, Suite);
        var names = Directory.Exists(folder) ? ModuleNames(folder) : [];
        foreach (var name in names.DefaultIfEmpty(NoCorpus))
        {
            data.Add(name);
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Modules))]
    public async Task Each_module_exits_and_writes_exactly_what_its_spec_expects(string module)
    {
        var suite = RepoPaths.RequireCorpus(Suite);
        Assert.NotEqual(NoCorpus, module); // the corpus appeared after discovery: rerun to enumerate its modules

        var wasmPath = Path.Combine(suite, module + ".wasm");
        var spec = WasiTestSpec.For(wasmPath);
        var bytes = await File.ReadAllBytesAsync(wasmPath);
        var compiled = fixture.Runtime.LoadOrCompile("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes);

        using var root = spec.Root is null ? null : FreshCopy(Path.Combine(Path.GetDirectoryName(wasmPath)!, spec.Root));
        var settings = new FunctionSettings
        {
            Name = module,
            Timeout = TimeSpan.FromSeconds(30),
            Volumes = root is null ? [] : [new Volume("/", root.Path, Writable: true)],
        };
        var invocation = new Invocation(
            [.. spec.Env],
            [Path.GetFileName(wasmPath), .. spec.Args],
            ReadOnlyMemory<byte>.Empty);

        var result = await fixture.Runtime.RunOnceAsync(compiled, settings, invocation);

        var stdout = Encoding.UTF8.GetString(result.Stdout.Span);
        var stderr = Encoding.UTF8.GetString(result.Stderr.Span);
        var seen = $"{module}: outcome {result.Outcome}, exit code {result.ExitCode}, detail '{result.Detail}', " +
                   $"stdout '{stdout}', stderr '{stderr}'";
        Assert.True(result.ExitCode == spec.ExitCode, $"expected exit code {spec.ExitCode}; {seen}");
        Assert.Equal(spec.ExitCode == 0 ? InvocationOutcome.Completed : InvocationOutcome.ExitedWithError, result.Outcome);
        Assert.Equal(spec.Stdout, stdout);
        if (spec.Stderr is not null)
        {
            Assert.Equal(spec.Stderr, stderr);
        }
    }

    [SkippableFact]
    public void The_suite_holds_every_module_its_readme_documents()
    {
        var suite = RepoPaths.RequireCorpus(Suite);
        var names = ModuleNames(suite);
        Assert.Equal(DocumentedModules, names.Count);
        Assert.Equal(14, names.Count(n => n.StartsWith("c/", StringComparison.Ordinal)));
        Assert.Equal(12, names.Count(n => n.StartsWith("assemblyscript/", StringComparison.Ordinal)));
    }

    private static List<string> ModuleNames(string suite) =>
        [.. Directory.EnumerateFiles(suite, "*.wasm", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(suite, p)[..^".wasm".Length].Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    private static TemporaryDirectory FreshCopy(string source)
    {
        Assert.True(Directory.Exists(source), $"the spec's root directory {source} does not exist");
        var copy = new TemporaryDirectory();
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(copy.Path, Path.GetRelativePath(source, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            if (!file.EndsWith(".cleanup", StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(copy.Path, Path.GetRelativePath(source, file)));
            }
        }

        return copy;
    }

    private sealed class TemporaryDirectory : IDisposable
    {
        private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("functions-wasi-testsuite-");

        public string Path => _directory.FullName;

        public void Dispose() => _directory.Delete(recursive: true);
    }
}
