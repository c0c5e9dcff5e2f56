using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Functions.Runtime.Execution;
using Functions.Runtime.Native;

namespace Functions.Runtime.Outbound;

/// <summary>
/// The <c>wasi_experimental_http</c> host functions (<c>req</c>, <c>close</c>, <c>header_get</c>, <c>headers_get_all</c>,
/// <c>body_read</c>), defined in the runtime's linker through the C API. The ABI, the handle semantics and the error
/// numbers are those of deislabs/wasi-experimental-http at commit 8291baece45cc51e18e69d7d5ad39ca20744e9f9 (v0.10.0:
/// <c>witx/wasi_experimental_http.witx</c>, <c>crates/wasi-experimental-http/src/raw.rs</c> and the wasmtime host,
/// <c>crates/wasi-experimental-http-wasmtime/src/lib.rs</c>): every parameter is an i32 (pointers, lengths, handles),
/// every function answers an <see cref="HttpError"/>, results go to out-pointers (status as u16, handle and byte counts
/// as u32, little-endian). The status code is <c>req</c>'s first out-parameter (there is no separate function for it).
/// <para>Where this host differs from that one, it is stricter and never traps where it answered a panic: an unknown
/// handle in <c>body_read</c> is <see cref="HttpError.InvalidHandle"/>; an origin (scheme, host and port) must match the
/// route's allowed hosts exactly; redirects are followed here, each only to an allowed origin; the body is capped.</para>
/// Defining the functions costs a module that does not import them nothing: a linker resolves only what a module imports.
/// </summary>
internal static unsafe class HttpHostFunctions
{
    private static readonly byte[] Module = "wasi_experimental_http"u8.ToArray();
    private static readonly byte[] RunDeadline = "stopped by the host: the run's deadline came during an outbound HTTP call"u8.ToArray();
    private static readonly byte[] Cancelled = "stopped by the host: the run was cancelled during an outbound HTTP call"u8.ToArray();

    [ThreadStatic]
    private static RunContext? t_run;

    /// <summary>The errors of the witx's <c>$http_error</c>, numbered as there.</summary>
    internal enum HttpError
    {
        Success = 0,
        InvalidHandle = 1,
        MemoryNotFound = 2,
        MemoryAccessError = 3,
        BufferTooSmall = 4,
        HeaderNotFound = 5,
        Utf8Error = 6,
        DestinationNotAllowed = 7,
        InvalidMethod = 8,
        InvalidEncoding = 9,
        InvalidUrl = 10,
        RequestError = 11,
        RuntimeError = 12,
        TooManySessions = 13,
    }

    public static void Define(nint linker, nint data)
    {
        DefineOne(linker, "req"u8, 10, &Req, data);
        DefineOne(linker, "close"u8, 1, &Close, data);
        DefineOne(linker, "header_get"u8, 6, &HeaderGet, data);
        DefineOne(linker, "headers_get_all"u8, 4, &HeadersGetAll, data);
        DefineOne(linker, "body_read"u8, 4, &BodyRead, data);
    }

    /// <summary>Makes outbound calls on this thread belong to one run until <see cref="Exit"/> (a few field writes).</summary>
    public static void EnterRun(FunctionPlan plan, Invocation invocation, RunWatch watch, CancellationToken cancel)
    {
        var run = t_run ??= new RunContext();
        run.Plan = plan;
        run.Invocation = invocation;
        run.Watch = watch;
        run.Cancel = cancel;
    }

    /// <summary>Ends the run on this thread: the responses it left open are dropped.</summary>
    public static void Exit()
    {
        if (t_run is { } run)
        {
            run.Plan = null;
            run.Invocation = null;
            run.Watch = null;
            run.Cancel = default;
            if (run.Responses.Count > 0)
            {
                run.Responses.Clear();
            }

            run.NextHandle = 0;
        }
    }

    private static void DefineOne(nint linker, ReadOnlySpan<byte> name, int parameters,
        delegate* unmanaged<nint, nint, WasmtimeNative.ValRaw*, nuint, nint> callback, nint data)
    {
        var types = stackalloc nint[parameters];
        for (var i = 0; i < parameters; i++)
        {
            types[i] = WasmtimeNative.ValTypeNew(WasmtimeNative.ValKindI32);
        }

        var result = WasmtimeNative.ValTypeNew(WasmtimeNative.ValKindI32);
        WasmtimeNative.ValTypeVec parameterVec, resultVec;
        WasmtimeNative.ValTypeVecNew(&parameterVec, (nuint)parameters, types);
        WasmtimeNative.ValTypeVecNew(&resultVec, 1, &result);
        var functype = WasmtimeNative.FuncTypeNew(&parameterVec, &resultVec);
        nint error;
        fixed (byte* module = Module)
        fixed (byte* function = name)
        {
            error = WasmtimeNative.LinkerDefineFuncUnchecked(linker, module, (nuint)Module.Length, function, (nuint)name.Length,
                functype, callback, data, 0);
        }

        WasmtimeNative.FuncTypeDelete(functype);
        if (error != 0)
        {
            throw new InvalidOperationException($"Wasmtime could not define wasi_experimental_http.{Encoding.UTF8.GetString(name)}: " +
                WasmtimeNative.TakeErrorMessage(error));
        }
    }

    [UnmanagedCallersOnly]
    private static nint Req(nint data, nint caller, WasmtimeNative.ValRaw* args, nuint count)
    {
        try
        {
            return Request((OutboundCalls)GCHandle.FromIntPtr(data).Target!, caller, args);
        }
        catch (Exception)
        {
            return Answer(args, HttpError.RuntimeError); // no exception may leave a native callback
        }
    }

    [UnmanagedCallersOnly]
    private static nint Close(nint data, nint caller, WasmtimeNative.ValRaw* args, nuint count)
    {
        // As the reference host: closing an unknown handle is not an error.
        t_run?.Responses.Remove((uint)args[0].I32);
        return Answer(args, HttpError.Success);
    }

    [UnmanagedCallersOnly]
    private static nint BodyRead(nint data, nint caller, WasmtimeNative.ValRaw* args, nuint count)
    {
        try
        {
            if (ResponseOf(caller, args, out var memory, out var response) is { } refused)
            {
                return Answer(args, refused);
            }

            var available = (int)Math.Min((uint)args[2].I32, (uint)(response.Body.Length - response.Position));
            if (!memory.Write((uint)args[1].I32, response.Body.AsSpan(response.Position, available))
                || !memory.WriteU32((uint)args[3].I32, (uint)available))
            {
                return Answer(args, HttpError.MemoryAccessError);
            }

            response.Position += available;
            return Answer(args, HttpError.Success);
        }
        catch (Exception)
        {
            return Answer(args, HttpError.RuntimeError);
        }
    }

    [UnmanagedCallersOnly]
    private static nint HeaderGet(nint data, nint caller, WasmtimeNative.ValRaw* args, nuint count)
    {
        try
        {
            if (ResponseOf(caller, args, out var memory, out var response) is { } refused)
            {
                return Answer(args, refused);
            }

            if (memory.ReadString((uint)args[1].I32, (uint)args[2].I32, out var name) is { } problem)
            {
                return Answer(args, problem);
            }

            byte[]? value = null;
            foreach (var (key, v) in response.Headers)
            {
                if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = Encoding.UTF8.GetBytes(v);
                    break;
                }
            }

            if (value is null)
            {
                return Answer(args, HttpError.HeaderNotFound);
            }

            if (value.Length > (uint)args[4].I32)
            {
                return Answer(args, HttpError.BufferTooSmall);
            }

            return memory.Write((uint)args[3].I32, value) && memory.WriteU32((uint)args[5].I32, (uint)value.Length)
                ? Answer(args, HttpError.Success)
                : Answer(args, HttpError.MemoryAccessError);
        }
        catch (Exception)
        {
            return Answer(args, HttpError.RuntimeError);
        }
    }

    [UnmanagedCallersOnly]
    private static nint HeadersGetAll(nint data, nint caller, WasmtimeNative.ValRaw* args, nuint count)
    {
        try
        {
            if (ResponseOf(caller, args, out var memory, out var response) is { } refused)
            {
                return Answer(args, refused);
            }

            // As the reference's header_map_to_string: "name:value\n" per value, names lowercase.
            var text = new StringBuilder();
            foreach (var (key, value) in response.Headers)
            {
                text.Append(key).Append(':').Append(value).Append('\n');
            }

            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            if (bytes.Length > (uint)args[2].I32)
            {
                return Answer(args, HttpError.BufferTooSmall);
            }

            return memory.Write((uint)args[1].I32, bytes) && memory.WriteU32((uint)args[3].I32, (uint)bytes.Length)
                ? Answer(args, HttpError.Success)
                : Answer(args, HttpError.MemoryAccessError);
        }
        catch (Exception)
        {
            return Answer(args, HttpError.RuntimeError);
        }
    }

    private static nint Request(OutboundCalls calls, nint caller, WasmtimeNative.ValRaw* args)
    {
        if (t_run is not { Plan: { } plan, Invocation: { } invocation, Watch: { } watch } run)
        {
            return Answer(args, HttpError.RuntimeError); // a start section: no run, no route, no policy
        }

        var settings = plan.Settings;
        var outbound = settings.Outbound;

        // As the reference: the open responses of the instance are bounded first.
        if (run.Responses.Count >= outbound.MaxConcurrency)
        {
            calls.Record(settings, invocation, OutboundOutcome.TooManySessions, null,
                $"the run holds {run.Responses.Count} open responses, the route's maximum (close some)");
            return Answer(args, HttpError.TooManySessions);
        }

        if (!Memory.Of(caller, out var memory))
        {
            return Answer(args, HttpError.MemoryNotFound);
        }

        if (memory.ReadString((uint)args[0].I32, (uint)args[1].I32, out var url) is { } urlProblem)
        {
            return Answer(args, urlProblem);
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            calls.Record(settings, invocation, OutboundOutcome.Invalid, url, "not an absolute http or https URL without user info");
            return Answer(args, HttpError.InvalidUrl);
        }

        if (!OutboundNetwork.IsAllowed(uri, outbound.AllowedHosts))
        {
            calls.Record(settings, invocation, OutboundOutcome.Forbidden, url, outbound.AllowedHosts.Count == 0
                ? "the route allows no outbound hosts"
                : $"{OutboundNetwork.Origin(uri)} is not among the route's allowed hosts ({string.Join(", ", outbound.AllowedHosts)})");
            return Answer(args, HttpError.DestinationNotAllowed);
        }

        if (memory.ReadString((uint)args[2].I32, (uint)args[3].I32, out var methodText) is { } methodProblem)
        {
            return Answer(args, methodProblem);
        }

        if (!IsToken(methodText))
        {
            calls.Record(settings, invocation, OutboundOutcome.Invalid, url, $"'{methodText}' is not an HTTP method");
            return Answer(args, HttpError.InvalidMethod);
        }

        if (!memory.Read((uint)args[6].I32, (uint)args[7].I32, out var body))
        {
            return Answer(args, HttpError.BufferTooSmall); // as the reference's slice_from_memory
        }

        if (memory.ReadString((uint)args[4].I32, (uint)args[5].I32, out var headerText) is { } headerProblem)
        {
            return Answer(args, headerProblem);
        }

        if (ParseHeaders(headerText) is not { } headers)
        {
            calls.Record(settings, invocation, OutboundOutcome.Invalid, url, "the request headers are not 'name:value' lines");
            return Answer(args, HttpError.InvalidEncoding);
        }

        var exchange = new Exchange(calls, plan, invocation, watch, run.Cancel);
        var answer = exchange.Run(uri, new HttpMethod(methodText), headers, body);
        if (answer.Stop is { } stop)
        {
            return stop;
        }

        if (answer.Error != HttpError.Success)
        {
            return Answer(args, answer.Error);
        }

        // As the reference: the first free handle from the last one given.
        var handle = run.NextHandle;
        while (run.Responses.ContainsKey(handle))
        {
            handle++;
        }

        run.NextHandle = handle;
        if (!Memory.Of(caller, out memory) || !memory.WriteU16((uint)args[8].I32, (ushort)answer.Response!.Status)
            || !memory.WriteU32((uint)args[9].I32, handle))
        {
            return Answer(args, HttpError.MemoryAccessError);
        }

        run.Responses[handle] = answer.Response;
        return Answer(args, HttpError.Success);
    }

    /// <summary>RFC 9110's token: what a method or header name may be.</summary>
    internal static bool IsToken(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c > 0x7E || c <= 0x20 || "\"(),/:;<=>?@[\\]{}".Contains(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The reference's string_to_header_map: "name:value" lines (\n, \r\n); null when one is not a header.</summary>
    internal static List<KeyValuePair<string, string>>? ParseHeaders(string text)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.EndsWith('\r') ? raw[..^1] : raw;
            if (line.Length == 0)
            {
                continue;
            }

            var colon = line.IndexOf(':');
            if (colon <= 0 || !IsToken(line[..colon]))
            {
                return null;
            }

            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (value.Any(c => c == '\r' || c == '\0' || c == '\n'))
            {
                return null;
            }

            headers.Add(new(line[..colon], value));
        }

        return headers;
    }

    /// <summary>The caller's memory and the response <c>args[0]</c> names, or the error to answer instead.</summary>
    private static HttpError? ResponseOf(nint caller, WasmtimeNative.ValRaw* args, out Memory memory, out StoredResponse response)
    {
        response = null!;
        if (!Memory.Of(caller, out memory))
        {
            return HttpError.MemoryNotFound;
        }

        return t_run is { } run && run.Responses.TryGetValue((uint)args[0].I32, out response!) ? null : HttpError.InvalidHandle;
    }

    private static nint Answer(WasmtimeNative.ValRaw* args, HttpError error)
    {
        args[0].I32 = (int)error;
        return 0;
    }

    internal static nint StopRun(RunWatch watch, bool cancelled)
    {
        watch.Stop(cancelled ? StopReason.Cancelled : StopReason.TimedOut);
        return WasiBridge.Trap(cancelled ? Cancelled : RunDeadline);
    }

    /// <summary>The outbound state of the run on one thread: its function, its open responses.</summary>
    private sealed class RunContext
    {
        public FunctionPlan? Plan;
        public Invocation? Invocation;
        public RunWatch? Watch;
        public CancellationToken Cancel;
        public uint NextHandle;
        public readonly Dictionary<uint, StoredResponse> Responses = [];
    }

    /// <summary>The caller's <c>memory</c> export, bounds-checked.</summary>
    private readonly struct Memory
    {
        private readonly byte* _data;
        private readonly ulong _size;

        private Memory(byte* data, ulong size)
        {
            _data = data;
            _size = size;
        }

        public static bool Of(nint caller, out Memory memory)
        {
            memory = default;
            if (!WasmtimeNative.TryGetCallerMemory(caller, out var export))
            {
                return false;
            }

            var context = WasmtimeNative.CallerContext(caller);
            var union = (byte*)&export + 8;
            memory = new Memory(WasmtimeNative.MemoryData(context, union), (ulong)WasmtimeNative.MemoryDataSize(context, union));
            return true;
        }

        public bool Read(uint offset, uint length, out byte[] bytes)
        {
            bytes = [];
            if ((ulong)offset + length > _size)
            {
                return false;
            }

            bytes = new ReadOnlySpan<byte>(_data + offset, (int)length).ToArray();
            return true;
        }

        /// <summary>Null, or why not: out of bounds is BufferTooSmall and bad UTF-8 Utf8Error, as the reference answers.</summary>
        public HttpError? ReadString(uint offset, uint length, out string text)
        {
            text = "";
            if ((ulong)offset + length > _size)
            {
                return HttpError.BufferTooSmall;
            }

            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(_data + offset, (int)length);
                return null;
            }
            catch (DecoderFallbackException)
            {
                return HttpError.Utf8Error;
            }
        }

        public bool Write(uint offset, ReadOnlySpan<byte> bytes)
        {
            if ((ulong)offset + (ulong)bytes.Length > _size)
            {
                return false;
            }

            bytes.CopyTo(new Span<byte>(_data + offset, bytes.Length));
            return true;
        }

        public bool WriteU32(uint offset, uint value)
        {
            Span<byte> bytes = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            return Write(offset, bytes);
        }

        public bool WriteU16(uint offset, ushort value)
        {
            Span<byte> bytes = stackalloc byte[2];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
            return Write(offset, bytes);
        }
    }
}

/// <summary>A response kept for the module until it closes its handle (or the run ends).</summary>
internal sealed class StoredResponse(int status, List<KeyValuePair<string, string>> headers, byte[] body)
{
    public int Status { get; } = status;

    /// <summary>Lowercase names, one entry per value, in the order received.</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = headers;

    public byte[] Body { get; } = body;

    public int Position { get; set; }
}
