using System;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;

namespace Scep.Protocol;

/// <summary>
/// IssuerAndSerialNumber (RFC 5652 §10.2.4): names one certificate. The messageData of GetCert and
/// GetCRL (RFC 8894 §3.3.4, §3.3.5), and the signer and recipient identifier in CMS.
/// </summary>
public sealed class IssuerAndSerialNumber
{
    private readonly ReadOnlyMemory<byte> _issuer;
    private readonly ReadOnlyMemory<byte> _serialNumber;

    private IssuerAndSerialNumber(ReadOnlyMemory<byte> issuer, ReadOnlyMemory<byte> serialNumber)
    {
        _issuer = issuer;
        _serialNumber = serialNumber;
    }

    /// <summary>The issuer's distinguished name (a new instance on each call).</summary>
    public X500DistinguishedName Issuer => new(_issuer.Span);

    /// <summary>The DER encoding of the issuer's Name.</summary>
    public ReadOnlyMemory<byte> IssuerRawData => _issuer;

    /// <summary>The serial number as the big-endian two's-complement octets of the INTEGER.</summary>
    public ReadOnlyMemory<byte> SerialNumber => _serialNumber;

    /// <summary>The serial number in upper-case hexadecimal, as <see cref="X509Certificate2.SerialNumber"/> prints it.</summary>
    public string SerialNumberHex => Convert.ToHexString(_serialNumber.Span);

    /// <summary>Identifies <paramref name="certificate"/> by its issuer and serial number.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The identifier.</returns>
    public static IssuerAndSerialNumber FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new IssuerAndSerialNumber(certificate.IssuerName.RawData, certificate.SerialNumberBytes.ToArray());
    }

    /// <summary>The identifier of a certificate read from its DER, without loading it.</summary>
    internal static IssuerAndSerialNumber FromCertificate(Internal.CertificateDer certificate) =>
        new(certificate.Issuer, certificate.SerialNumber);

    /// <summary>Creates an identifier from an issuer name and serial number octets.</summary>
    /// <param name="issuer">The issuer's name.</param>
    /// <param name="serialNumber">Big-endian two's-complement serial number octets.</param>
    /// <returns>The identifier.</returns>
    public static IssuerAndSerialNumber Create(X500DistinguishedName issuer, ReadOnlySpan<byte> serialNumber)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        if (serialNumber.IsEmpty)
        {
            throw new ArgumentException("A serial number needs at least one octet.", nameof(serialNumber));
        }

        return new IssuerAndSerialNumber(issuer.RawData, serialNumber.ToArray());
    }

    /// <summary>Decodes a DER or BER IssuerAndSerialNumber.</summary>
    /// <param name="encoded">The encoding.</param>
    /// <returns>The identifier.</returns>
    /// <exception cref="ScepException">Malformed input (<see cref="ScepError.MalformedContent"/>).</exception>
    public static IssuerAndSerialNumber Decode(ReadOnlyMemory<byte> encoded)
    {
        try
        {
            var copy = encoded.ToArray();
            BerValue.EnsureNestingWithinLimit(copy);
            var reader = new AsnReader(copy, AsnEncodingRules.BER);
            var result = Read(reader);
            reader.ThrowIfNotEmpty();
            return result;
        }
        catch (AsnContentException e)
        {
            throw new ScepException(ScepError.MalformedContent, "IssuerAndSerialNumber is malformed: " + e.Message, e);
        }
    }

    internal static IssuerAndSerialNumber Read(AsnReader reader)
    {
        var sequence = reader.ReadSequence();
        var issuer = sequence.ReadEncodedValue();
        ValidateName(issuer);
        var serial = sequence.ReadIntegerBytes();
        if (serial.Length > Limits.MaxSerialNumberLength)
        {
            throw new ScepException(ScepError.LimitExceeded, $"A serial number has more than {Limits.MaxSerialNumberLength} octets.");
        }

        sequence.ThrowIfNotEmpty();
        return new IssuerAndSerialNumber(issuer, serial);
    }

    internal static void ValidateName(ReadOnlyMemory<byte> name)
    {
        var reader = new AsnReader(name, AsnEncodingRules.BER);
        var rdns = reader.ReadSequence();
        while (rdns.HasData)
        {
            rdns.ReadSetOf(skipSortOrderValidation: true);
        }
    }

    /// <summary>The DER encoding.</summary>
    /// <returns>A new array.</returns>
    public byte[] Encode()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        Write(writer);
        return writer.Encode();
    }

    internal void Write(AsnWriter writer)
    {
        writer.PushSequence();
        writer.WriteEncodedValue(_issuer.Span);
        writer.WriteInteger(Minimal(_serialNumber.Span));
        writer.PopSequence();
    }

    // The octets are a two's-complement INTEGER. RFC 5280 §4.1.2.2 wants positive serials, but negative ones are
    // in the field, and the sid or rid must repeat the certificate's own INTEGER or peers will not find it; so
    // write the value as it is, dropping only redundant leading octets.
    private static ReadOnlySpan<byte> Minimal(ReadOnlySpan<byte> value)
    {
        while (value.Length > 1 && ((value[0] == 0x00 && value[1] < 0x80) || (value[0] == 0xFF && value[1] >= 0x80)))
        {
            value = value[1..];
        }

        return value;
    }

    /// <summary>Whether this identifies <paramref name="certificate"/>.</summary>
    /// <param name="certificate">The certificate to compare with.</param>
    /// <returns>True when issuer and serial number match.</returns>
    public bool Matches(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return CertificateFacts.SerialEquals(_serialNumber.Span, certificate.SerialNumberBytes.Span)
            && CertificateFacts.NameEquals(_issuer.Span, certificate.IssuerName.RawData);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Issuer.Name}, serial {SerialNumberHex}";
}
