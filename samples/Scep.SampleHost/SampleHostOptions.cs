using System;
using System.Collections.Generic;
using System.Linq;

namespace Scep.SampleHost;

/// <summary>The sample host's own settings (section <c>SampleHost</c>); docs/configuration.md lists them all.</summary>
public sealed class SampleHostOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "SampleHost";

    /// <summary>Where the CA, its passphrase file (when generated) and the SQLite database live. Default <c>scep-data</c>, relative to the working directory.</summary>
    public string DataDirectory { get; set; } = "scep-data";

    /// <summary>The CA's subject when the host creates it.</summary>
    public string CaSubject { get; set; } = "CN=Scep.Protocol Sample CA,O=Scep.Protocol";

    /// <summary>RSA key size of a created CA (and of an ECDSA CA's encryption certificate). Default 3072.</summary>
    public int CaKeySize { get; set; } = 3072;

    /// <summary>
    /// The key of a created CA: <see cref="CaKeyAlgorithm.Rsa"/> (the default; every client accepts it), or an ECDSA
    /// P-256 or P-384 CA with an RSA encryption certificate for the clients' envelopes. An existing CA keeps its key.
    /// </summary>
    public CaKeyAlgorithm CaKeyAlgorithm { get; set; } = CaKeyAlgorithm.Rsa;

    /// <summary>Validity of a created CA, in years.</summary>
    public int CaValidityYears { get; set; } = 10;

    /// <summary>
    /// The CA key in a PKCS#11 token, as an RFC 7512 URI naming the key object, e.g.
    /// <c>pkcs11:token=scep;object=scep-ca?module-path=/usr/lib/softhsm/libsofthsm2.so&amp;pin-source=file:/run/secrets/pin</c>
    /// (the PIN also from <c>SCEP_PKCS11_PIN</c>). The certificates then live in <c>ca.pem</c>; empty (the default) keeps
    /// the CA in <c>ca.p12</c>.
    /// </summary>
    public string? CaKey { get; set; }

    /// <summary>
    /// <see cref="RaCertificateMode.File"/>: an RA certificate in <c>ra.p12</c> (and <c>next-ra.p12</c> for the next CA)
    /// signs the replies and decrypts the envelopes, and the CA key only issues. Default <see cref="RaCertificateMode.None"/>.
    /// </summary>
    public RaCertificateMode RaCertificate { get; set; } = RaCertificateMode.None;

    /// <summary>The PKCS#12 passphrase; the environment variable <c>SCEP_CA_PASSPHRASE</c> also sets it. When neither is set, a random one is kept in the data folder (development only).</summary>
    public string? CaPassphrase { get; set; }

    /// <summary>Validity of issued certificates, in days.</summary>
    public int CertificateValidityDays { get; set; } = 365;

    /// <summary>How long a CRL is valid (its nextUpdate), in hours. A cached CRL is rebuilt when half of it has passed, or after a revocation.</summary>
    public int CrlValidityHours { get; set; } = 24;

    /// <summary>Aliases whose enrollments wait for <c>approve ID</c> (PENDING, then CertPoll) instead of being issued at once. Default: none.</summary>
    public IList<string> ApprovalAliases { get; } = new List<string>();

    /// <summary>One log line per HTTP request (method, path, status, duration; never the query, which carries the pkiMessage). Default: true.</summary>
    public bool RequestLogging { get; set; } = true;

    /// <summary>Serve the pipeline's metrics in Prometheus text format on <c>/metrics</c>. Default: true.</summary>
    public bool Metrics { get; set; } = true;

    /// <summary>
    /// Export the pipeline's traces and metrics by OTLP (docs/configuration.md). The exporter takes OpenTelemetry's
    /// standard settings: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (<c>grpc</c> or
    /// <c>http/protobuf</c>), <c>OTEL_EXPORTER_OTLP_HEADERS</c>, <c>OTEL_SERVICE_NAME</c>. Default: false (no spans are
    /// made at all).
    /// </summary>
    public bool OpenTelemetry { get; set; }

    /// <summary>The SQLite file name inside <see cref="DataDirectory"/> (used when no <c>ConnectionStrings:Scep</c> is set).</summary>
    public string SqliteFileName { get; set; } = "scep.db";

    /// <summary>
    /// Where end entities, SCEP transactions and issued certificates live: <see cref="SampleHostStore.Database"/> (the
    /// default: SQLite, or PostgreSQL with <c>ConnectionStrings:Scep</c>) or <see cref="SampleHostStore.InMemory"/>
    /// (the server's memory: nothing survives a restart, admin commands cannot reach it; for trials and benchmarks).
    /// </summary>
    public SampleHostStore Store { get; set; } = SampleHostStore.Database;

    /// <summary>
    /// The sample's own settings of the issuing authority: <see cref="CertificateValidityDays"/> and <see cref="CrlValidityHours"/>
    /// unless the <c>Issuing</c> section sets them, SHA-384 signatures for a P-384 CA unless it names a digest, and
    /// <see cref="ApprovalAliases"/> added to its approval aliases.
    /// </summary>
    internal void ApplyTo(Scep.Protocol.Server.IssuingAuthorityOptions issuing, Microsoft.Extensions.Configuration.IConfiguration section)
    {
        if (section["Profile:Validity"] is null)
        {
            issuing.Profile.Validity = TimeSpan.FromDays(CertificateValidityDays);
        }

        if (section["Profile:SignatureDigest"] is null && CaKeyAlgorithm == CaKeyAlgorithm.EcdsaP384)
        {
            // RFC 5480 §4: a P-384 key signs with SHA-384.
            issuing.Profile.SignatureDigest = Scep.Protocol.Server.ScepDigest.Sha384;
        }

        if (section["CrlValidity"] is null)
        {
            issuing.CrlValidity = TimeSpan.FromHours(CrlValidityHours);
        }

        foreach (var alias in ApprovalAliases)
        {
            if (!issuing.ApprovalAliases.Contains(alias, StringComparer.OrdinalIgnoreCase))
            {
                issuing.ApprovalAliases.Add(alias);
            }
        }
    }
}

/// <summary>The values of <c>SampleHost:Store</c>.</summary>
public enum SampleHostStore
{
    /// <summary>SQLite in the data folder, or PostgreSQL when <c>ConnectionStrings:Scep</c> is set.</summary>
    Database,

    /// <summary>The pipeline's in-memory stores and authority, with the data folder's CA: nothing survives a restart.</summary>
    InMemory,
}
