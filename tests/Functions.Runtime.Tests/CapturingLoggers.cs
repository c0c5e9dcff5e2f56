using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Functions.Runtime.Tests;

/// <summary>Records every log entry with the scopes active when it was written.</summary>
internal sealed class CapturingLoggers : ILoggerFactory
{
    private readonly AsyncLocal<ImmutableStack> _scopes = new();

    public ConcurrentQueue<(int EventId, string Message, object?[] Scopes)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed record ImmutableStack(object? Head, ImmutableStack? Tail);

    private sealed class Logger(CapturingLoggers owner) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state) where TState : notnull
        {
            var previous = owner._scopes.Value;
            owner._scopes.Value = new ImmutableStack(state, previous);
            return new Pop(() => owner._scopes.Value = previous!);
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<object?>();
            for (var s = owner._scopes.Value; s is not null; s = s.Tail)
            {
                scopes.Add(s.Head);
            }

            owner.Entries.Enqueue((eventId.Id, formatter(state, exception), [.. scopes]));
        }
    }

    private sealed class Pop(Action pop) : IDisposable
    {
        public void Dispose() => pop();
    }
}
