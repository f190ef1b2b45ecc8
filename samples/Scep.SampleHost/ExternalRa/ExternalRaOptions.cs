using System;

namespace Scep.SampleHost;

/// <summary>
/// The sample host as the CA of an External RA (the pull model, docs/upstream.md): the <c>ExternalRa</c> section, on
/// when <c>Url</c> is set. The CA only makes outbound calls: it lists the RA's queue, issues, and delivers.
/// </summary>
public sealed class ExternalRaOptions
{
    public const string SectionName = "ExternalRa";

    /// <summary>The RA's queue: <c>https://RA/admin/api/v1/upstream/requests</c>.</summary>
    public Uri? Url { get; set; }

    /// <summary>The PKCS#12 of the TLS client certificate the RA pins (its <c>AdminApi:ClientCertificates</c>, role Operator).</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>SHA-256 (hex) of the RA's TLS server certificate: no other server is believed.</summary>
    public string? ServerCertificateSha256 { get; set; }

    /// <summary>The alias whose profile issues the RA's requests. Default: <c>scep</c>.</summary>
    public string Alias { get; set; } = "scep";

    /// <summary>How often the queue is read. Default: 5 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one call to the RA may take. Default: 15 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
}
