using System.Text;

namespace Functions.Runtime.Execution;

/// <summary>
/// A reusable arena of NUL-terminated UTF-8 strings and pointer arrays for the C API's <c>const char*[]</c>
/// parameters (argv, environment names and values). Pinned, so pointers stay valid for the native call.
/// </summary>
internal sealed unsafe class NativeStrings
{
    private byte[] _bytes = GC.AllocateArray<byte>(16 * 1024, pinned: true);
    private nint[] _pointers = GC.AllocateArray<nint>(256, pinned: true);
    private int _used;
    private int _count;

    public void Clear()
    {
        _used = 0;
        _count = 0;
    }

    /// <summary>Adds <paramref name="text"/> and returns its index. A NUL inside the text ends it there, as in C.</summary>
    public int Add(string text)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
        if (_used + needed > _bytes.Length)
        {
            var bigger = GC.AllocateArray<byte>(Math.Max(_bytes.Length * 2, _used + needed), pinned: true);
            _bytes.AsSpan(0, _used).CopyTo(bigger);
            _bytes = bigger;
        }

        if (_count == _pointers.Length)
        {
            var bigger = GC.AllocateArray<nint>(_pointers.Length * 2, pinned: true);
            _pointers.CopyTo(bigger, 0);
            _pointers = bigger;
        }

        var written = Encoding.UTF8.GetBytes(text, _bytes.AsSpan(_used));
        _bytes[_used + written] = 0;
        _pointers[_count] = _used; // an offset until Pointers() turns it into an address
        _used += written + 1;
        return _count++;
    }

    /// <summary>
    /// The addresses of the strings added since <see cref="Clear"/>, in order. Call once, after the last
    /// <see cref="Add"/>: adding may move the buffer.
    /// </summary>
    public byte** Pointers()
    {
        fixed (byte* start = _bytes)
        {
            for (var i = 0; i < _count; i++)
            {
                _pointers[i] = (nint)start + _pointers[i];
            }
        }

        fixed (nint* pointers = _pointers)
        {
            return (byte**)pointers; // pinned array: the address stays valid
        }
    }
}
