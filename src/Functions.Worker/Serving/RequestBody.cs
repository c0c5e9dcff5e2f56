using System.Buffers;
using System.Numerics;

namespace Functions.Worker.Serving;

/// <summary>How reading a request body ended.</summary>
public enum BodyOutcome
{
    Read,

    /// <summary>More than the route's limit (declared, or read: at most limit + 1 bytes are read).</summary>
    TooLarge,

    /// <summary>The worker's budget for bodies in flight (<see cref="WorkerBudgets.Bodies"/>) is spent.</summary>
    BodiesSpent,

    /// <summary>The worker's memory budget (<see cref="WorkerBudgets.Memory"/>) is spent.</summary>
    MemorySpent,
}

/// <summary>
/// A request body read into chunks rented from <see cref="ArrayPool{T}.Shared"/>, each charged to the worker's budgets
/// before it is read into: memory follows the bytes that arrive, never the declared Content-Length (a client that
/// declares 32 MiB and sends 1 KiB holds one 4 KiB chunk). Chunks double from 4 KiB up to 1 MiB. Disposing gives the
/// chunks and their charge back; the runtime copies the body into the module's stdin, so that is once the run ended.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private const int FirstChunk = 4 * 1024;
    private const int LargestChunk = 1024 * 1024;

    private readonly WorkerBudgets _budgets;
    private readonly List<(byte[] Array, int Used)> _chunks = [];
    private long _charged;

    public RequestBody(WorkerBudgets budgets) => _budgets = budgets;

    /// <summary>The bytes read.</summary>
    public long Length { get; private set; }

    /// <summary>
    /// Reads <paramref name="stream"/> to its end, or stops at the first of: more than <paramref name="limit"/> bytes, a
    /// spent budget. Whatever the outcome, or if reading throws (the client went away), what was read stays here
    /// until <see cref="Dispose"/>.
    /// </summary>
    public async Task<BodyOutcome> ReadAsync(Stream stream, long? declared, long limit, CancellationToken cancellationToken)
    {
        // Never past limit + 1 (enough to tell a body over the limit), nor past a declared length Kestrel enforces.
        var end = Math.Min(declared ?? long.MaxValue, limit + 1);
        while (Length < end)
        {
            if (_chunks.Count == 0 || _chunks[^1].Used == _chunks[^1].Array.Length)
            {
                var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(Math.Min(Length, end - Length), FirstChunk, LargestChunk));
                if (Charge(size) is { } spent)
                {
                    return spent;
                }

                _chunks.Add((ArrayPool<byte>.Shared.Rent(size), 0));
            }

            var (array, used) = _chunks[^1];
            var room = (int)Math.Min(array.Length - used, end - Length);
            var read = await stream.ReadAsync(array.AsMemory(used, room), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            _chunks[^1] = (array, used + read);
            Length += read;
        }

        return Length > limit ? BodyOutcome.TooLarge : BodyOutcome.Read;
    }

    /// <summary>The bytes read, as one sequence over the chunks (no copy).</summary>
    public ReadOnlySequence<byte> Sequence()
    {
        if (_chunks.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (_chunks.Count == 1)
        {
            return new ReadOnlySequence<byte>(_chunks[0].Array, 0, _chunks[0].Used);
        }

        var first = new Segment(_chunks[0].Array.AsMemory(0, _chunks[0].Used), 0);
        var last = first;
        for (var i = 1; i < _chunks.Count; i++)
        {
            last = last.Append(_chunks[i].Array.AsMemory(0, _chunks[i].Used));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private BodyOutcome? Charge(int bytes)
    {
        if (!_budgets.Bodies.TryTake(bytes))
        {
            return BodyOutcome.BodiesSpent;
        }

        if (!_budgets.Memory.TryTake(bytes))
        {
            _budgets.Bodies.Give(bytes);
            return BodyOutcome.MemorySpent;
        }

        _charged += bytes;
        return null;
    }

    public void Dispose()
    {
        foreach (var (array, _) in _chunks)
        {
            ArrayPool<byte>.Shared.Return(array);
        }

        _chunks.Clear();
        _budgets.Bodies.Give(_charged);
        _budgets.Memory.Give(_charged);
        _charged = 0;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
