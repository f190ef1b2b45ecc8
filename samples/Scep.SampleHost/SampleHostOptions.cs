namespace Scep.SampleHost;

/// <summary>The sample host's own settings (section <c>SampleHost</c>).</summary>
public sealed class SampleHostOptions
{
    /// <summary>Where the CA, its passphrase file (when generated) and the database live. Default <c>./scep-data</c>.</summary>
    public string DataDirectory { get; set; } = "scep-data";

    /// <summary>The CA's subject when the host creates it.</summary>
    public string CaSubject { get; set; } = "CN=Scep.Protocol Sample CA,O=Scep.Protocol";

    /// <summary>RSA key size of a created CA. Default 3072.</summary>
    public int CaKeySize { get; set; } = 3072;

    /// <summary>Validity of a created CA, in years.</summary>
    public int CaValidityYears { get; set; } = 10;

    /// <summary>The PKCS#12 passphrase; the environment variable <c>SCEP_CA_PASSPHRASE</c> also sets it. When neither is set, a random one is kept in the data folder (development only).</summary>
    public string? CaPassphrase { get; set; }

    /// <summary>Validity of issued certificates, in days.</summary>
    public int CertificateValidityDays { get; set; } = 365;
}
