using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.FuseFs.Tests.Support;

/// <summary>Collects log lines so tests can assert that nothing went wrong on the daemon side.</summary>
internal sealed class TestLogger(LogLevel minimum = LogLevel.Information) : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IEnumerable<string> Problems => Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => $"{e.Level}: {e.Message}");

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
            Entries.Enqueue((logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));
    }
}
