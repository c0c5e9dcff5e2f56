using System.Text.Json;
using System.Text.Json.Serialization;

namespace Functions.Contracts.Api;

/// <summary>A host directory for a volume: written as a plain string (read-only) or as an object.</summary>
[JsonConverter(typeof(VolumeRequestJsonConverter))]
public sealed record VolumeRequest
{
    /// <summary>Host directory, relative to the volumes root or absolute inside it.</summary>
    /// <example>site/static</example>
    public string? Path { get; init; }

    /// <summary>Whether the module may write to it; read-only by default.</summary>
    /// <example>false</example>
    public bool Writable { get; init; }
}

/// <summary>Reads <c>"dir"</c> as a read-only volume and <c>{"path": "dir", "writable": true}</c> as given.</summary>
public sealed class VolumeRequestJsonConverter : JsonConverter<VolumeRequest>
{
    public override VolumeRequest? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new VolumeRequest { Path = reader.GetString() };
            case JsonTokenType.StartObject:
                string? path = null;
                var writable = false;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString();
                    reader.Read();
                    if (string.Equals(name, "path", StringComparison.OrdinalIgnoreCase))
                    {
                        path = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                    }
                    else if (string.Equals(name, "writable", StringComparison.OrdinalIgnoreCase))
                    {
                        writable = reader.GetBoolean();
                    }
                    else
                    {
                        throw new JsonException($"A volume has only 'path' and 'writable'; '{name}' is not known.");
                    }
                }

                return new VolumeRequest { Path = path, Writable = writable };
            default:
                throw new JsonException(
                    "A volume is a host directory string, or an object {\"path\": \"...\", \"writable\": true}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, VolumeRequest value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("path", value.Path);
        writer.WriteBoolean("writable", value.Writable);
        writer.WriteEndObject();
    }
}
