using System;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;

namespace Scep.Protocol;

/// <summary>IssuerAndSubject (RFC 8894 §3.3.3): the messageData of CertPoll (GetCertInitial).</summary>
public sealed class IssuerAndSubject
{
    private readonly ReadOnlyMemory<byte> _issuer;
    private readonly ReadOnlyMemory<byte> _subject;

    private IssuerAndSubject(ReadOnlyMemory<byte> issuer, ReadOnlyMemory<byte> subject)
    {
        _issuer = issuer;
        _subject = subject;
    }

    /// <summary>The issuing CA's name (a new instance on each call).</summary>
    public X500DistinguishedName Issuer => new(_issuer.Span);

    /// <summary>The requested subject name (a new instance on each call).</summary>
    public X500DistinguishedName Subject => new(_subject.Span);

    /// <summary>Creates the structure from the CA's and the request's names.</summary>
    /// <param name="issuer">The CA certificate's subject name.</param>
    /// <param name="subject">The subject of the pending request.</param>
    /// <returns>The structure.</returns>
    public static IssuerAndSubject Create(X500DistinguishedName issuer, X500DistinguishedName subject)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(subject);
        return new IssuerAndSubject(issuer.RawData, subject.RawData);
    }

    /// <summary>Decodes a DER or BER IssuerAndSubject.</summary>
    /// <param name="encoded">The encoding.</param>
    /// <returns>The structure.</returns>
    /// <exception cref="ScepException">Malformed input (<see cref="ScepError.MalformedContent"/>).</exception>
    public static IssuerAndSubject Decode(ReadOnlyMemory<byte> encoded)
    {
        try
        {
            var copy = encoded.ToArray();
            BerValue.EnsureNestingWithinLimit(copy);
            var reader = new AsnReader(copy, AsnEncodingRules.BER);
            var sequence = reader.ReadSequence();
            var issuer = sequence.ReadEncodedValue();
            var subject = sequence.ReadEncodedValue();
            sequence.ThrowIfNotEmpty();
            reader.ThrowIfNotEmpty();
            IssuerAndSerialNumber.ValidateName(issuer);
            IssuerAndSerialNumber.ValidateName(subject);
            return new IssuerAndSubject(issuer, subject);
        }
        catch (AsnContentException e)
        {
            throw new ScepException(ScepError.MalformedContent, "IssuerAndSubject is malformed: " + e.Message, e);
        }
    }

    /// <summary>The DER encoding.</summary>
    /// <returns>A new array.</returns>
    public byte[] Encode()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.PushSequence();
        writer.WriteEncodedValue(_issuer.Span);
        writer.WriteEncodedValue(_subject.Span);
        writer.PopSequence();
        return writer.Encode();
    }

    /// <inheritdoc />
    public override string ToString() => $"issuer {Issuer.Name}, subject {Subject.Name}";
}
