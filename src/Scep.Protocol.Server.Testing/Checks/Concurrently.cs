using System;
using System.Linq;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Testing.Checks;

/// <summary>Many callers released at once against one store.</summary>
internal static class Concurrently
{
    /// <summary>How many concurrent callers the concurrency checks use.</summary>
    public const int Callers = 50;

    /// <summary>Starts <paramref name="count"/> calls on the thread pool, lets them all go at the same moment, and waits for every one.</summary>
    public static async Task<T[]> RunAsync<T>(int count, Func<int, Task<T>> call)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task.ConfigureAwait(false);
            return await call(i).ConfigureAwait(false);
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(calls).ConfigureAwait(false);
    }
}
