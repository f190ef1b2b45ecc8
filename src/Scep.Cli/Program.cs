using System;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args) =>
        ScepCommandLine.RunAsync(args, new CliEnvironment(Console.Out, Console.Error) { InteractiveProgress = !Console.IsErrorRedirected }, CancellationToken.None);
}
