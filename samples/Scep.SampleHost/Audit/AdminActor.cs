using System;
using System.Threading;
using Microsoft.AspNetCore.Http;

namespace Scep.SampleHost;

/// <summary>
/// Who an administrative action is done for, as the audit log names them: the caller the admin API authenticated
/// (<c>api-key:NAME</c>, <c>certificate:NAME</c>), a background service of the host (<c>service:NAME</c>), otherwise the
/// operating-system user who runs the admin command (<c>cli:USER</c>).
/// </summary>
public sealed class AdminActor(IHttpContextAccessor? http = null)
{
    private static readonly AsyncLocal<string?> Service = new();

    /// <summary>The name of the actor of the current action.</summary>
    public string Current =>
        Service.Value
        ?? (http?.HttpContext?.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : $"cli:{Environment.UserName}");

    /// <summary>Names a background service of the host (<c>service:NAME</c>) as the actor of what it does until disposed.</summary>
    public static IDisposable AsService(string name)
    {
        var previous = Service.Value;
        Service.Value = "service:" + name;
        return new Restore(previous);
    }

    private sealed class Restore(string? previous) : IDisposable
    {
        public void Dispose() => Service.Value = previous;
    }
}
