using System.Globalization;
using System.Text;
using Functions.Contracts;
using Functions.Data;
using Functions.Runtime;
using Functions.Wagi;
using Microsoft.EntityFrameworkCore;
using Wasmtime;

namespace Functions.ControlPlane.Apps.Checks;

/// <summary>
/// One deploy request's trial on the workers' engine, route by route: what its modules declare against the workers'
/// limits, a trial instantiation per distinct (module, entrypoint, memory, timeout), its <c>_routes</c> expansions
/// and whether they collide with this request's routes or another active application's.
/// </summary>
internal sealed class DeployCheck(
    DeployChecker checker, CheckingRuntime checking, string app, IReadOnlyList<ValidatedRoute> routes, FunctionsDbContext db,
    CancellationToken cancel)
{
    private readonly WasmRuntime _runtime = checking.Runtime;

    private const long MiB = 1024 * 1024;

    /// <summary>What <c>_routes</c> may print here; far more than any real route list.</summary>
    private const long MaxRoutesOutputBytes = MiB;

    private readonly FieldErrors _errors = new();
    private readonly List<Task> _abandoned = [];
    private readonly Dictionary<string, LoadedModule> _modules = new(StringComparer.Ordinal);
    private readonly List<ModuleHold> _holds = [];

    /// <summary>
    /// Work that outlived its deadline (blocked in a host call) and still runs on the checking runtime, which must
    /// not be disposed before it ends.
    /// </summary>
    public IReadOnlyList<Task> Abandoned => _abandoned;

    public async Task<FieldErrors> RunAsync()
    {
        var digests = routes.Select(r => r.ModuleDigest).Distinct(StringComparer.Ordinal).ToList();
        var entrypoints = await db.Modules.AsNoTracking()
            .Where(m => digests.Contains(m.Digest))
            .Select(m => new { m.Digest, m.Entrypoints })
            .ToDictionaryAsync(m => m.Digest, m => m.Entrypoints, StringComparer.Ordinal, cancel).ConfigureAwait(false);
        foreach (var digest in digests)
        {
            _modules[digest] = await LoadAsync(digest).ConfigureAwait(false);
        }

        var trials = new Dictionary<(string, string, int, int), TrialFailure?>();
        var expansions = new List<(int Index, DynamicRoute Route)>();
        for (var i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            FitsWorkerMemory(route, i);
            var module = _modules[route.ModuleDigest];
            if (module.Problems.Count > 0)
            {
                foreach (var problem in module.Problems)
                {
                    _errors.Add($"routes[{i}].module", problem);
                }

                continue;
            }

            if (!FitsMemoryLimit(module, route, i))
            {
                continue;
            }

            var key = (route.ModuleDigest, route.Entrypoint, route.Limits.MemoryMb, route.Limits.TimeoutMs);
            if (!trials.TryGetValue(key, out var failed))
            {
                trials[key] = failed = await TryInstantiateAsync(module.Compiled!, route, i).ConfigureAwait(false);
            }

            if (failed is not null)
            {
                _errors.Add($"routes[{i}].{failed.Field}", failed.Message);
                continue;
            }

            if (module.Compiled!.Exports.Contains(DynamicRoutes.RoutesExport, StringComparer.Ordinal))
            {
                var expansion = await ExpandAsync(module.Compiled, route).ConfigureAwait(false);
                if (expansion.Problem is not null)
                {
                    _errors.Add($"routes[{i}].module", expansion.Problem);
                    continue;
                }

                var usable = entrypoints.GetValueOrDefault(route.ModuleDigest) ?? [];
                foreach (var sub in expansion.Routes)
                {
                    if (!usable.Contains(sub.Entrypoint))
                    {
                        _errors.Add($"routes[{i}].module",
                            $"The module's _routes output binds '{sub.Pattern.Text}' to '{sub.Entrypoint}' (line {sub.Line}), " +
                            "which the module does not export as an entrypoint (a function with no parameters and no " +
                            $"results); its entrypoints are: {string.Join(", ", usable)}. Export that function or fix " +
                            "the _routes output.");
                    }
                    else
                    {
                        expansions.Add((i, sub));
                    }
                }
            }
        }

        await CheckCollisionsAsync(expansions).ConfigureAwait(false);
        return _errors;
    }

    private CompiledModule? TryHold(CompiledModule module)
    {
        try
        {
            var hold = _runtime.Hold(module);
            _holds.Add(hold);
            return hold.Module;
        }
        catch (InvalidOperationException)
        {
            return null; // left memory meanwhile, and there is no disk cache here: compiled again
        }
    }

    /// <summary>Lets the check's modules go (called once the check and anything it left running have ended).</summary>
    public void ReleaseModules()
    {
        foreach (var hold in _holds)
        {
            hold.Dispose();
        }

        _holds.Clear();
    }

    private Task<byte[]?> ModuleBytesAsync(string digest) =>
        db.Modules.AsNoTracking().Where(m => m.Digest == digest).Select(m => m.Content).SingleOrDefaultAsync(cancel);

    private async Task<LoadedModule> LoadAsync(string digest)
    {
        byte[]? bytes = null;
        async Task<byte[]?> Bytes() => bytes ??= await ModuleBytesAsync(digest).ConfigureAwait(false);

        if (!checker.TryGetDeclarations(digest, out var declarations))
        {
            if (await Bytes().ConfigureAwait(false) is not { } content)
            {
                return LoadedModule.Refused(ModuleGone(digest));
            }

            declarations = checker.Declarations(digest, () => ModuleDeclarations.TryRead(content));
        }

        if (declarations is not null && DeclarationProblems(digest, declarations) is { Count: > 0 } problems)
        {
            return new LoadedModule(null, declarations, problems);
        }

        // Held until the check (and anything it left running) ends: the runtime's cache may otherwise let a module go
        // between its load and its trial, as other modules of a large release are loaded.
        if (_runtime.TryLoadCached(digest, out var cached) && cached is not null && TryHold(cached) is { } held)
        {
            return new LoadedModule(held, declarations, []);
        }

        if (await Bytes().ConfigureAwait(false) is not { } wasm)
        {
            return LoadedModule.Refused(ModuleGone(digest));
        }

        try
        {
            // Compiling takes a core for up to seconds: off the request's thread, which awaits it.
            var compiled = await Task.Run(() => _runtime.LoadOrCompile(digest, wasm), cancel).ConfigureAwait(false);
            return new LoadedModule(TryHold(compiled) ?? throw new InvalidOperationException(
                $"Module {digest} left the checking runtime's memory as soon as it was compiled: raise " +
                "Functions:DeployChecks:ModuleMemoryBytes."), declarations, []);
        }
        catch (WasmtimeException e)
        {
            return LoadedModule.Refused(
                $"The workers' engine refuses module {digest}: {FirstLine(e.Message)}. Every worker would refuse it too. " +
                "When that names a limit: the workers' pooling allocator gives a module 1 table of at most 20 000 " +
                "initial elements, 1 memory and 1 MiB of instance state (globals, functions); build the module within " +
                "them, upload it and deploy the new digest.");
        }
    }

    /// <summary>The <c>wasi_experimental_http</c> functions the workers' runtime defines (Runtime/Outbound/HttpHostFunctions).</summary>
    private static readonly string[] OutboundHttpImports = ["req", "close", "header_get", "headers_get_all", "body_read"];

    /// <summary>Imports the workers do not provide and declarations past their pooling allocator's limits.</summary>
    private static List<string> DeclarationProblems(string digest, ModuleDeclarations declared)
    {
        var problems = new List<string>();
        var foreign = declared.Imports.Where(i => i.Kind != "function" || !(i.Module == "wasi_snapshot_preview1"
            || (i.Module == "wasi_experimental_http" && OutboundHttpImports.Contains(i.Name)))).ToList();
        if (foreign.Count > 0)
        {
            problems.Add($"Module {digest} imports {string.Join(", ", foreign)}, which the workers do not provide: " +
                "they link WASI preview1 functions (wasi_snapshot_preview1) and outbound HTTP (wasi_experimental_http: " +
                $"{string.Join(", ", OutboundHttpImports)}) only. Rebuild it for wasm32-wasip1 without other host imports " +
                "(or remove those imports), upload it and deploy the new digest.");
        }

        if (declared.TableCount > PoolingLimits.TablesPerModule)
        {
            problems.Add($"Module {digest} has {declared.TableCount} tables; the workers' pooling allocator allows " +
                $"{PoolingLimits.TablesPerModule} per module (Wasmtime's max_tables_per_module). Build it with one table.");
        }

        for (var t = 0; t < declared.TableMinimumElements.Count; t++)
        {
            var elements = declared.TableMinimumElements[t];
            if (elements > PoolingLimits.TableElements)
            {
                problems.Add($"Module {digest}'s table {t} starts with {Count(elements)} elements; the workers' pooling " +
                    $"allocator reserves at most {Count(PoolingLimits.TableElements)} per table (Wasmtime's table_elements). " +
                    "Shrink the table's initial size (fewer functions taken by address, or a smaller declared minimum).");
            }
        }

        if (declared.MemoryMinimumPages.Count > PoolingLimits.MemoriesPerModule)
        {
            problems.Add($"Module {digest} has {declared.MemoryMinimumPages.Count} linear memories; the workers' pooling " +
                $"allocator allows {PoolingLimits.MemoriesPerModule} per module (Wasmtime's max_memories_per_module). " +
                "Build it with one memory.");
        }

        var globalsBytes = (long)declared.DefinedGlobals * PoolingLimits.BytesPerGlobal;
        if (globalsBytes > PoolingLimits.InstanceStateBytes)
        {
            problems.Add($"Module {digest} defines {Count((ulong)declared.DefinedGlobals)} globals: " +
                $"{Count((ulong)globalsBytes / 1024)} KiB of instance state at {PoolingLimits.BytesPerGlobal} bytes each, more " +
                $"than the {PoolingLimits.InstanceStateBytes / MiB} MiB per instance the workers' pooling allocator reserves " +
                "(Wasmtime's max_core_instance_size). Keep well under " +
                $"{Count(PoolingLimits.InstanceStateBytes / PoolingLimits.BytesPerGlobal)} globals: move large state into " +
                "linear memory.");
        }

        return problems;
    }

    /// <summary>Whether one invocation of the route fits the workers' memory budget; an error names the limit to lower.</summary>
    private void FitsWorkerMemory(ValidatedRoute route, int index)
    {
        var capacity = checker.Options.WorkerMemoryBytes ?? WorkerMemory.DefaultBudgetBytes();
        var footprint = WorkerMemory.Footprint(route.Limits);
        if (footprint <= capacity)
        {
            return;
        }

        var field = WorkerMemory.Reservation(route.Limits) > capacity ? "memoryMb" : "maxBodyBytes";
        _errors.Add($"routes[{index}].limits.{field}",
            $"One invocation of this route may hold {Count((ulong)footprint)} bytes (memoryMb {route.Limits.MemoryMb} MiB + the " +
            $"64 MiB output cap + maxBodyBytes {Count((ulong)route.Limits.MaxBodyBytes)}), more than the workers' memory budget of " +
            $"{Count((ulong)capacity)} bytes (Functions:DeployChecks:WorkerMemoryBytes): no worker would admit it. Lower " +
            $"limits.{field}.");
    }

    private bool FitsMemoryLimit(LoadedModule module, ValidatedRoute route, int index)
    {
        if (module.Declarations is not { MemoryMinimumPages: { Count: > 0 } pages })
        {
            return true;
        }

        // Compared in pages: a 64-bit memory's minimum could overflow a byte count.
        var needed = pages.Max();
        var pagesPerMiB = (ulong)MiB / ModuleDeclarations.PageBytes;
        if (needed <= (ulong)route.Limits.MemoryMb * pagesPerMiB)
        {
            return true;
        }

        var neededMb = needed / pagesPerMiB + (needed % pagesPerMiB == 0 ? 0UL : 1UL);
        _errors.Add($"routes[{index}].limits.memoryMb",
            $"Module {route.ModuleDigest} needs {Count(neededMb)} MiB of linear memory to start (an initial memory of " +
            $"{Count(pages.Max())} pages of 64 KiB), more than this route's memoryMb of {route.Limits.MemoryMb}. Raise " +
            $"limits.memoryMb to at least {Count(neededMb)}, or shrink the module's initial memory (e.g. a smaller " +
            "stack or -Wl,--initial-memory when linking).");
        return false;
    }

    /// <summary>
    /// Links and instantiates once, as a worker's pool does, under the trial deadline: null when that worked, else
    /// the field at fault (under <c>routes[i]</c>) and what to fix.
    /// </summary>
    private async Task<TrialFailure?> TryInstantiateAsync(CompiledModule module, ValidatedRoute route, int index)
    {
        var settings = Settings(route, route.Entrypoint, index);
        var tried = $"tried on the workers' engine before storing anything, under a {settings.Timeout.TotalMilliseconds:F0} ms deadline";
        string failure;
        try
        {
            // The runtime ends a start function that runs or sleeps past the deadline, as a worker's would (the route's
            // timeout, at most Runtime:InstantiationTimeout); the wait is bounded here as well, in case another host
            // call blocks, and such an instantiation is left to end on its own.
            // The pool is kept (scaled to zero): while a pool refers to it, the module stays in the runtime's memory.
            var done = await Bounded(() => { checking.Keep(module.Digest, _runtime.CreatePool(module, settings)); return true; },
                settings.Timeout).ConfigureAwait(false);
            return done ? null : NotInTime(route, tried);
        }
        catch (ModuleLinkException e) when (e.StartTimedOut)
        {
            return NotInTime(route, tried);
        }
        catch (ModuleLinkException e)
        {
            failure = e.Message;
        }
        catch (EntrypointMissingException e)
        {
            return new TrialFailure("entrypoint", e.Message);
        }
        catch (ArgumentException e)
        {
            // The settings a route can get wrong here are the memory limit against Runtime:MaxMemoryMbPerInstance.
            return new TrialFailure("limits.memoryMb", e.Message);
        }

        var trap = await ModuleBytesAsync(route.ModuleDigest).ConfigureAwait(false) is { } wasm
            ? await Bounded(() => StartTrapDiagnosis.Explain(wasm, settings.MemoryLimitBytes), checker.Options.TrialTimeout)
                .ConfigureAwait(false)
            : null;
        return new TrialFailure("module", trap is null
            ? $"{failure.TrimEnd('.')} ({tried}): no worker could run this module."
            : $"Module {route.ModuleDigest} trapped while it was instantiated, before any request: {trap}. No worker " +
              $"could ever create an instance of it ({tried}). Fix its start function (or do that work in the " +
              "entrypoint instead), upload the module again and deploy the new digest.");
    }

    private static TrialFailure NotInTime(ValidatedRoute route, string tried) => new("module",
        $"Module {route.ModuleDigest} did not finish instantiating ({tried}): its start function blocks (e.g. sleeps) or " +
        "runs too long. No worker could create an instance of it in time: fix its start function (or do that work in the " +
        "entrypoint instead), upload the module again and deploy the new digest.");

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool and waits for it at most <paramref name="deadline"/> and a
    /// second; the default value when it took longer (the work goes on alone, in <see cref="Abandoned"/>).
    /// </summary>
    private async Task<T?> Bounded<T>(Func<T> work, TimeSpan deadline)
    {
        var task = Task.Run(work, CancellationToken.None);
        try
        {
            return await task.WaitAsync(deadline + TimeSpan.FromSeconds(1), cancel).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _abandoned.Add(task);
            return default;
        }
        catch (OperationCanceledException)
        {
            _abandoned.Add(task); // the request went away; the work still runs on the checking runtime
            throw;
        }
    }

    private Task<RoutesExpansion> ExpandAsync(CompiledModule module, ValidatedRoute route) =>
        Expand(module, route.Route, route.Limits, $"{app}{route.Route}", keepFailure: false);

    private Task<RoutesExpansion> Expand(CompiledModule module, string parent, RouteLimits limits, string label, bool keepFailure)
    {
        var timeout = TrialTimeout(limits.TimeoutMs);
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{module.Digest} {parent} {limits.MemoryMb} {timeout.TotalMilliseconds}");
        return checker.ExpandAsync(key, async () =>
        {
            var settings = new FunctionSettings
            {
                Name = $"{label}#{DynamicRoutes.RoutesExport}",
                Entrypoint = DynamicRoutes.RoutesExport,
                Timeout = timeout,
                MemoryLimitBytes = limits.MemoryMb * MiB,
                MaxOutputBytes = MaxRoutesOutputBytes,
                MaxConcurrency = 1,
                ReadyInstances = 0,
            };
            InvocationResult result;
            try
            {
                // As a worker runs it: argv ["_routes"], no environment, no input.
                var run = _runtime.RunOnceAsync(
                    module, settings, new Invocation([], [DynamicRoutes.RoutesExport], ReadOnlyMemory<byte>.Empty), cancel);
                try
                {
                    result = await run.WaitAsync(timeout + TimeSpan.FromSeconds(1), cancel).ConfigureAwait(false);
                }
                catch (Exception e) when (e is TimeoutException or OperationCanceledException)
                {
                    _abandoned.Add(run);
                    throw;
                }
            }
            catch (Exception e) when (e is ModuleLinkException or ArgumentException)
            {
                return RoutesExpansion.Failed(e.Message);
            }
            catch (TimeoutException)
            {
                return RoutesExpansion.Failed(
                    $"The module's _routes export did not answer within {timeout.TotalMilliseconds:F0} ms (it blocks in a " +
                    "host call, e.g. a sleep), so the routes it declares cannot be known. Make _routes print one " +
                    "'<sub-path> <export>' per line and return at once, or remove the export.");
            }

            if (result.Outcome != InvocationOutcome.Completed)
            {
                return RoutesExpansion.Failed(
                    $"The module's _routes export, run as a worker runs it (argv [\"_routes\"], no input) under a " +
                    $"{timeout.TotalMilliseconds:F0} ms deadline, {Describe(result)}, so the routes it declares cannot be " +
                    "known. Make _routes print one '<sub-path> <export>' per line and return, or remove the export.");
            }

            var output = Encoding.UTF8.GetString(result.Stdout.Span);
            return DynamicRoutes.TryParse(output, RoutePattern.Parse(parent), out var declared, out var bad)
                ? new RoutesExpansion(declared, null)
                : RoutesExpansion.Failed($"The module's _routes output has {bad.Count} bad line(s): " +
                    $"{string.Join("; ", bad)}. Each line is '<sub-path> <export>', e.g. '/hello hello_handler'.");
        }, keepFailure, cancel);
    }

    /// <summary>
    /// Routes bound twice: a <c>_routes</c> expansion of this request against its own routes and expansions, and
    /// against what other active applications serve, their expansions included. Route against route of two
    /// applications stays the deploy's 409 (the database's unique key decides it).
    /// </summary>
    private async Task CheckCollisionsAsync(List<(int Index, DynamicRoute Route)> expansions)
    {
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var j = 0; j < routes.Count; j++)
        {
            own[routes[j].Route] = $"routes[{j}] of this request binds it too";
        }

        var others = await OtherApplicationsAsync(expansions.Select(e => e.Route.Pattern.Text).ToList()).ConfigureAwait(false);
        foreach (var (index, sub) in expansions)
        {
            var text = sub.Pattern.Text;
            var clash = own.TryGetValue(text, out var mine) ? mine : others.GetValueOrDefault(text)?.Text;
            if (clash is not null)
            {
                _errors.Add($"routes[{index}].module",
                    $"The module's _routes output declares '{text}' (line {sub.Line}), but {clash}. Each route is served " +
                    "by one binding across every active application: change the _routes output or the route it is " +
                    "bound at, or remove the other binding.");
            }
            else
            {
                own[text] = $"the _routes output of routes[{index}]'s module declares it too (line {sub.Line})";
            }
        }

        for (var j = 0; j < routes.Count; j++)
        {
            if (others.TryGetValue(routes[j].Route, out var owner) && owner.Declared)
            {
                _errors.Add($"routes[{j}].route",
                    $"Route '{routes[j].Route}' is taken: {owner.Text}. Choose another route, or remove it from that application.");
            }
        }
    }

    /// <summary>
    /// Route → who serves it, of every other active application: its routes among <paramref name="wanted"/>, and
    /// every route its modules' <c>_routes</c> declare (computed here when not known yet; a failing one declares none).
    /// </summary>
    private async Task<Dictionary<string, Owner>> OtherApplicationsAsync(List<string> wanted)
    {
        var taken = new Dictionary<string, Owner>(StringComparer.Ordinal);
        var direct = await (from active in db.ActiveRoutes
                            join other in db.Applications on active.ApplicationId equals other.Id
                            where wanted.Contains(active.Route) && other.Name != app
                            select new { active.Route, App = other.Name })
            .ToListAsync(cancel).ConfigureAwait(false);
        foreach (var route in direct)
        {
            taken[route.Route] = new Owner($"application '{route.App}' serves it", Declared: false);
        }

        var dynamic = await (from active in db.ActiveRoutes
                             join other in db.Applications on active.ApplicationId equals other.Id
                             join module in db.Modules on active.ModuleDigest equals module.Digest
                             join binding in db.ReleaseRoutes on active.ReleaseRouteId equals binding.Id
                             where other.Name != app && module.Exports.Contains(DynamicRoutes.RoutesExport)
                             orderby other.Name, active.Route
                             select new
                             {
                                 active.Route, App = other.Name, active.ModuleDigest, binding.TimeoutMs, binding.MemoryMb,
                                 binding.MaxBodyBytes, binding.MaxConcurrency,
                             })
            .ToListAsync(cancel).ConfigureAwait(false);
        foreach (var binding in dynamic)
        {
            if (!_modules.TryGetValue(binding.ModuleDigest, out var module))
            {
                _modules[binding.ModuleDigest] = module = await LoadAsync(binding.ModuleDigest).ConfigureAwait(false);
            }

            if (module.Compiled is null || !RoutePattern.TryParse(binding.Route, out _, out _))
            {
                continue;
            }

            var limits = new RouteLimits(binding.TimeoutMs, binding.MemoryMb, binding.MaxBodyBytes, binding.MaxConcurrency);
            var expansion = await Expand(module.Compiled, binding.Route, limits, $"{binding.App}{binding.Route}", keepFailure: true)
                .ConfigureAwait(false);
            foreach (var sub in expansion.Routes)
            {
                taken.TryAdd(sub.Pattern.Text, new Owner(
                    $"application '{binding.App}' serves it (declared by the _routes output of its module bound at " +
                    $"'{binding.Route}')", Declared: true));
            }
        }

        return taken;
    }

    private FunctionSettings Settings(ValidatedRoute route, string entrypoint, int index) => new()
    {
        Name = $"routes[{index}] {route.Route}",
        Entrypoint = entrypoint,
        Timeout = TrialTimeout(route.Limits.TimeoutMs),
        MemoryLimitBytes = route.Limits.MemoryMb * MiB,
        MaxConcurrency = 1,
        ReadyInstances = 0,
    };

    private TimeSpan TrialTimeout(int routeTimeoutMs) =>
        TimeSpan.FromMilliseconds(Math.Min(routeTimeoutMs, checker.Options.TrialTimeout.TotalMilliseconds));

    private static string Describe(InvocationResult result) => result.Outcome switch
    {
        InvocationOutcome.TimedOut => "did not finish in time",
        InvocationOutcome.Trapped => $"trapped ({result.Detail})",
        InvocationOutcome.ExitedWithError => $"exited with code {result.ExitCode}",
        InvocationOutcome.OutputLimitExceeded => $"printed more than {MaxRoutesOutputBytes / MiB} MiB",
        InvocationOutcome.EntrypointMissing => $"could not be called ({result.Detail})",
        _ => $"ended {result.Outcome} ({result.Detail})",
    } + (result.StderrLines.Count > 0 ? $"; its stderr began: {string.Join(" | ", result.StderrLines.Take(3))}" : "");

    private static string Count(ulong value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string ModuleGone(string digest) =>
        $"There is no module '{digest}' any more (it was deleted while the request ran): upload it again.";

    private static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).Trim().TrimEnd('.');
    }

    /// <summary>Why a trial instantiation failed: the field under <c>routes[i]</c> and what to fix.</summary>
    private sealed record TrialFailure(string Field, string Message);

    /// <summary>Who serves a route: a sentence, and whether a <c>_routes</c> output declared it.</summary>
    private sealed record Owner(string Text, bool Declared);

    /// <summary>A module of the request: compiled, what it declares, or why it cannot run on a worker.</summary>
    private sealed record LoadedModule(CompiledModule? Compiled, ModuleDeclarations? Declarations, List<string> Problems)
    {
        public static LoadedModule Refused(string problem) => new(null, null, [problem]);
    }
}
