using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Functions.Worker.Tests.Observability;

/// <summary>
/// Reads an OTLP/HTTP <c>ExportTraceServiceRequest</c> (protobuf) far enough for the tests: the service of each
/// resource, and each span's ids, name, attributes, links and status. No OTLP proto package is served here, so this
/// walks the wire format (opentelemetry-proto, trace/v1/trace.proto field numbers) and skips every other field.
/// </summary>
public static class OtlpDecoder
{
    public static List<OtlpSpan> Decode(ReadOnlySpan<byte> request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var (field, resourceSpans) in Fields(request.ToArray()))
        {
            if (field != 1 || resourceSpans is not byte[] rs)
            {
                continue;
            }

            var service = "";
            var scopes = new List<byte[]>();
            foreach (var (f, value) in Fields(rs))
            {
                if (f == 1 && value is byte[] resource)
                {
                    service = Attributes(resource, 1).GetValueOrDefault("service.name", "");
                }
                else if (f == 2 && value is byte[] scope)
                {
                    scopes.Add(scope);
                }
            }

            foreach (var scope in scopes)
            {
                foreach (var (f, value) in Fields(scope))
                {
                    if (f == 2 && value is byte[] span)
                    {
                        spans.Add(Span(service, span));
                    }
                }
            }
        }

        return spans;
    }

    private static OtlpSpan Span(string service, byte[] span)
    {
        string traceId = "", spanId = "", parent = "", name = "", statusMessage = "";
        var statusCode = 0;
        var links = new List<(string, string)>();
        foreach (var (f, value) in Fields(span))
        {
            switch (f, value)
            {
                case (1, byte[] b): traceId = Convert.ToHexStringLower(b); break;
                case (2, byte[] b): spanId = Convert.ToHexStringLower(b); break;
                case (4, byte[] b): parent = Convert.ToHexStringLower(b); break;
                case (5, byte[] b): name = Encoding.UTF8.GetString(b); break;
                case (13, byte[] link):
                    string linkTrace = "", linkSpan = "";
                    foreach (var (lf, lv) in Fields(link))
                    {
                        if (lf == 1 && lv is byte[] t) linkTrace = Convert.ToHexStringLower(t);
                        if (lf == 2 && lv is byte[] s) linkSpan = Convert.ToHexStringLower(s);
                    }

                    links.Add((linkTrace, linkSpan));
                    break;
                case (15, byte[] status):
                    foreach (var (sf, sv) in Fields(status))
                    {
                        if (sf == 2 && sv is byte[] m) statusMessage = Encoding.UTF8.GetString(m);
                        if (sf == 3 && sv is ulong c) statusCode = (int)c;
                    }

                    break;
            }
        }

        return new OtlpSpan(service, traceId, spanId, parent, name, Attributes(span, 9), links, statusCode, statusMessage);
    }

    /// <summary>The <c>KeyValue</c>s in field <paramref name="field"/> of a message, values as text.</summary>
    private static Dictionary<string, string> Attributes(byte[] message, int field)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var (f, value) in Fields(message))
        {
            if (f != field || value is not byte[] keyValue)
            {
                continue;
            }

            string key = "", text = "";
            foreach (var (kf, kv) in Fields(keyValue))
            {
                if (kf == 1 && kv is byte[] k)
                {
                    key = Encoding.UTF8.GetString(k);
                }
                else if (kf == 2 && kv is byte[] any)
                {
                    text = AnyValue(any);
                }
            }

            attributes[key] = text;
        }

        return attributes;
    }

    private static string AnyValue(byte[] any)
    {
        foreach (var (f, value) in Fields(any))
        {
            switch (f, value)
            {
                case (1, byte[] s): return Encoding.UTF8.GetString(s);
                case (2, ulong b): return b != 0 ? "true" : "false";
                case (3, ulong i): return ((long)i).ToString(CultureInfo.InvariantCulture);
                case (4, ulong d): return BitConverter.Int64BitsToDouble((long)d).ToString(CultureInfo.InvariantCulture);
            }
        }

        return "";
    }

    /// <summary>The fields of one message: varints and fixed numbers as <see cref="ulong"/>, length-delimited as bytes.</summary>
    private static List<(int Field, object Value)> Fields(byte[] message)
    {
        var fields = new List<(int, object)>();
        var at = 0;
        while (at < message.Length)
        {
            var tag = Varint(message, ref at);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    fields.Add((field, Varint(message, ref at)));
                    break;
                case 1:
                    fields.Add((field, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(at, 8))));
                    at += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    fields.Add((field, message.AsSpan(at, length).ToArray()));
                    at += length;
                    break;
                case 5:
                    fields.Add((field, (ulong)BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(at, 4))));
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {tag & 7} at byte {at} is not one OTLP uses");
            }
        }

        return fields;
    }

    private static ulong Varint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
