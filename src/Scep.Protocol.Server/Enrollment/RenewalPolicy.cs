using System;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// Whether a renewal may go ahead (RFC 8894 §3.3.1.2: a RenewalReq, or a PKCSReq signed by a certificate this CA
/// issued, <see cref="DeviceQuirks.CiscoRenewalByPkcsReq"/>, is authorized by its signer certificate instead of a
/// challenge). The alias must allow renewal; the old certificate must be valid now, on record with the authority and not
/// revoked (interop lessons 40), past <see cref="ScepAliasOptions.RenewalMinimumElapsedFraction"/> of its validity (EJBCA);
/// a new key unless <see cref="ScepAliasOptions.AllowRenewalWithOldKey"/> (interop lessons 42); the same common name.
/// </summary>
internal sealed class RenewalPolicy(IEnrollmentAuthority authority)
{
    public async ValueTask<ScepRefusal?> CheckAsync(Exchange x, X509Certificate2 signer, Pkcs10Request csr, bool reusesKey, CancellationToken cancellationToken)
    {
        var options = x.Alias.Options;
        if (!options.AllowRenewal)
        {
            return Refuse("Certificate renewal is not enabled for this alias.");
        }

        if (x.Now < signer.NotBefore || x.Now > signer.NotAfter)
        {
            return Refuse("The certificate being renewed is expired or not yet valid.");
        }

        var status = await authority.GetCertificateStatusAsync(options.CaName, signer, cancellationToken).ConfigureAwait(false);
        if (status != CertificateStatus.Good)
        {
            return Refuse(status == CertificateStatus.Revoked
                ? "The certificate being renewed is revoked."
                : "The certificate being renewed is not on record at this CA.");
        }

        var lifetime = signer.NotAfter - signer.NotBefore;
        var earliest = new DateTimeOffset(signer.NotBefore) + (lifetime * options.RenewalMinimumElapsedFraction);
        if (x.Now < earliest)
        {
            return Refuse($"The certificate may be renewed from {earliest:u}, after {options.RenewalMinimumElapsedFraction:P0} of its validity.");
        }

        if (reusesKey && !options.AllowRenewalWithOldKey)
        {
            return Refuse("Renewal with the old key is not allowed here; request a new key.");
        }

        if (!string.Equals(CommonName(signer), csr.CommonName, StringComparison.Ordinal))
        {
            return Refuse("A renewal must keep the certificate's common name.");
        }

        return null;
    }

    /// <summary>The certificate's CN, or null when it has none.</summary>
    public static string? CommonName(X509Certificate2 certificate)
    {
        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return string.IsNullOrEmpty(name) ? null : name;
    }

    private static ScepRefusal Refuse(string reason) => new(FailInfo.BadRequest, reason, RefusalCategory.RenewalPolicy);
}
