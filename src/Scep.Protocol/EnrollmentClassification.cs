using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol;

/// <summary>The result of <c>RenewalDetection.Classify</c>.</summary>
public sealed class EnrollmentClassification
{
    internal EnrollmentClassification(EnrollmentKind kind, X509Certificate2? issuingCertificate, bool reusesKey)
    {
        Kind = kind;
        IssuingCertificate = issuingCertificate;
        ReusesKey = reusesKey;
    }

    /// <summary>Initial enrollment, renewal, or a signer from elsewhere.</summary>
    public EnrollmentKind Kind { get; }

    /// <summary>For a renewal, the CA certificate that issued the signer (the current or the previous CA key).</summary>
    public X509Certificate2? IssuingCertificate { get; }

    /// <summary>Whether the requested key is the signer certificate's key (for a renewal: the old key is reused).</summary>
    public bool ReusesKey { get; }
}
