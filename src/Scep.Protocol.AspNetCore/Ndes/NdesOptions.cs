using System;
using System.Collections.Generic;

namespace Scep.Protocol.AspNetCore;

/// <summary>
/// The NDES drop-in (<see cref="NdesEndpointRouteBuilderExtensions.MapNdes"/>): which alias serves Microsoft NDES's URLs,
/// how the one-time enrollment passwords of <c>/certsrv/mscep_admin/</c> behave, and who may fetch them.
/// </summary>
/// <remarks>
/// The defaults are NDES's own (registry key HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP: PasswordLength 8 bytes,
/// PasswordMax 5, PasswordValidity 60 minutes).
/// </remarks>
public sealed class NdesOptions
{
    /// <summary>The default header an API key is sent in.</summary>
    public const string DefaultApiKeyHeader = "X-Api-Key";

    /// <summary>The alias that <c>/certsrv/mscep/mscep.dll</c> serves and whose enrollments need a password from the admin page. An RA-mode alias without its own RaChallenge.</summary>
    public string Alias { get; set; } = string.Empty;

    /// <summary>How long a handed-out password may be used (NDES's PasswordValidity, default 60 minutes).</summary>
    public TimeSpan PasswordValidity { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>How many unused, unexpired passwords may be outstanding before the page answers "The password cache is full." (NDES's PasswordMax, default 5).</summary>
    public int PasswordMax { get; set; } = 5;

    /// <summary>The admin page's users for HTTP Basic: name to password. Never logged.</summary>
    public Dictionary<string, string> Users { get; set; } = new(StringComparer.Ordinal);

    /// <summary>API keys accepted in <see cref="ApiKeyHeader"/> instead of Basic. Never logged.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>The header that carries an API key.</summary>
    public string ApiKeyHeader { get; set; } = DefaultApiKeyHeader;

    /// <summary>
    /// Allows HTTP Basic and API keys over plain HTTP, from a loopback peer only (for tests on 127.0.0.1). Off: a
    /// credential over plain HTTP is refused with 403.
    /// </summary>
    public bool AllowBasicOverHttp { get; set; }
}
