using System;

namespace Scep.Protocol.Server;

/// <summary>A certificate <see cref="CertificateIssuer"/> made: its DER and the fields a store records. Immutable.</summary>
/// <param name="RawData">The DER encoding.</param>
/// <param name="SerialNumber">The serial number as upper-case hex (as <c>X509Certificate2.SerialNumber</c> gives it).</param>
/// <param name="Subject">The subject, as <c>X500DistinguishedName.Name</c> gives it.</param>
/// <param name="NotBefore">Start of validity, whole seconds.</param>
/// <param name="NotAfter">End of validity, whole seconds.</param>
public sealed record IssuedCertificate(ReadOnlyMemory<byte> RawData, string SerialNumber, string Subject, DateTimeOffset NotBefore, DateTimeOffset NotAfter);
