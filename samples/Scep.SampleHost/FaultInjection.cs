using System;
using System.Diagnostics;

namespace Scep.SampleHost;

/// <summary>
/// For crash tests only: the process SIGKILLs itself when it reaches the named point, so that a test can place a kill
/// exactly between two steps (after issuing, before the delivery). The point is the environment variable
/// <c>SCEP_SAMPLEHOST_KILL_AT</c>, read once; unset (as in every real deployment) nothing happens.
/// </summary>
internal static class FaultInjection
{
    private static readonly string? KillAt = Environment.GetEnvironmentVariable("SCEP_SAMPLEHOST_KILL_AT");

    public static void KillIfAt(string point)
    {
        if (KillAt is not null && string.Equals(KillAt, point, StringComparison.Ordinal))
        {
            Process.GetCurrentProcess().Kill();
        }
    }
}
