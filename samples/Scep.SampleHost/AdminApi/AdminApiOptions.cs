using System.Collections.Generic;

namespace Scep.SampleHost.AdminApi;

/// <summary>
/// The admin REST API's settings (section <c>AdminApi</c>). The API is served when at least one API key or client
/// certificate is configured, and refuses every caller it cannot authenticate (docs/admin-api.md).
/// </summary>
public sealed class AdminApiOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AdminApi";

    /// <summary>Where the API is served: <c>/admin/api/v1/...</c>, its OpenAPI document at <c>/admin/api/openapi/v1.json</c>.</summary>
    public const string PathBase = "/admin/api";

    /// <summary>The callers that authenticate with an API key (<c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>).</summary>
    public IList<AdminApiKey> ApiKeys { get; } = new List<AdminApiKey>();

    /// <summary>
    /// The callers that authenticate with a TLS client certificate, pinned by SHA-256 fingerprint (the host then asks
    /// for client certificates on its HTTPS endpoints: <c>Kestrel:Endpoints:NAME:Url=https://...</c>).
    /// </summary>
    public IList<AdminClientCertificate> ClientCertificates { get; } = new List<AdminClientCertificate>();

    /// <summary>Whether the API is on: some caller is configured.</summary>
    public bool Enabled => ApiKeys.Count > 0 || ClientCertificates.Count > 0;
}

/// <summary>An API key caller.</summary>
public sealed class AdminApiKey
{
    /// <summary>The caller's name, as the audit log shows it (<c>api-key:NAME</c>).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The key itself (at least 32 characters), or set <see cref="KeySha256"/> instead to keep the key out of the settings.</summary>
    public string? Key { get; set; }

    /// <summary>SHA-256 of the key's UTF-8 bytes, hex (<c>printf %s KEY | sha256sum</c>).</summary>
    public string? KeySha256 { get; set; }

    /// <summary>What the caller may do.</summary>
    public AdminRole Role { get; set; } = AdminRole.Viewer;
}

/// <summary>A client certificate caller.</summary>
public sealed class AdminClientCertificate
{
    /// <summary>The caller's name, as the audit log shows it (<c>certificate:NAME</c>).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>SHA-256 of the certificate (DER), hex; colons and spaces are ignored.</summary>
    public string Sha256 { get; set; } = string.Empty;

    /// <summary>What the caller may do.</summary>
    public AdminRole Role { get; set; } = AdminRole.Viewer;
}

/// <summary>What an admin caller may do; each role includes the ones before it.</summary>
public enum AdminRole
{
    /// <summary>Read: entities, pending requests, certificates, CA status, audit log.</summary>
    Viewer = 1,

    /// <summary>Also: create, reset and delete entities, approve and reject requests, revoke certificates, issue a CRL.</summary>
    Operator,

    /// <summary>Also: CA rollover.</summary>
    Admin,
}
