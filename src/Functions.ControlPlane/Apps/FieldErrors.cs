namespace Functions.ControlPlane.Apps;

/// <summary>Problems of a request by the JSON path of the field at fault, several per field allowed.</summary>
internal sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);

    public int Count { get; private set; }

    public void Add(string field, string message)
    {
        if (!_byField.TryGetValue(field, out var list))
        {
            _byField[field] = list = [];
        }

        list.Add(message);
        Count++;
    }

    public Dictionary<string, string[]> ToDictionary() => _byField.ToDictionary(e => e.Key, e => e.Value.ToArray());
}
