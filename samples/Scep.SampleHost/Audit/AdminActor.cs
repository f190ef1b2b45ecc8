using System;
using Microsoft.AspNetCore.Http;

namespace Scep.SampleHost;

/// <summary>
/// Who an administrative action is done for, as the audit log names them: the caller the admin API authenticated
/// (<c>api-key:NAME</c>, <c>certificate:NAME</c>), otherwise the operating-system user who runs the admin command
/// (<c>cli:USER</c>).
/// </summary>
public sealed class AdminActor(IHttpContextAccessor? http = null)
{
    /// <summary>The name of the actor of the current action.</summary>
    public string Current =>
        http?.HttpContext?.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : $"cli:{Environment.UserName}";
}
