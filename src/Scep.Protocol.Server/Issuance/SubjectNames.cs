using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>The subject and subjectAltName of an issued certificate, from the request and the profile.</summary>
internal static class SubjectNames
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";
    private const string UnstructuredNameOid = "1.2.840.113549.1.9.2";
    private const string UserPrincipalNameOid = "1.3.6.1.4.1.311.20.2.3";

    private static readonly Dictionary<string, string> Attributes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CN"] = "2.5.4.3",
        ["SERIALNUMBER"] = "2.5.4.5",
        ["C"] = "2.5.4.6",
        ["L"] = "2.5.4.7",
        ["ST"] = "2.5.4.8",
        ["O"] = "2.5.4.10",
        ["OU"] = "2.5.4.11",
        ["E"] = "1.2.840.113549.1.9.1",
        ["DC"] = "0.9.2342.19200300.100.1.25",
        ["unstructuredName"] = UnstructuredNameOid,
        ["unstructuredAddress"] = "1.2.840.113549.1.9.8",
    };

    public static IEnumerable<string> KnownAttributes => Attributes.Keys;

    /// <summary>The OID of a short attribute name or an OID, or null.</summary>
    public static string? AttributeOid(string nameOrOid) => Attributes.TryGetValue(nameOrOid, out var oid) ? oid : IsOid(nameOrOid) ? nameOrOid : null;

    public static bool IsOid(string value) =>
        value.Length > 2 && value.Split('.') is { Length: >= 2 } arcs && arcs.All(a => a.Length > 0 && a.All(char.IsAsciiDigit));

    /// <summary>The subject with only the RDNs whose attributes are listed, in their order and encoding; all of it when none are listed.</summary>
    public static X500DistinguishedName Keep(X500DistinguishedName subject, IList<string> attributes)
    {
        if (attributes.Count == 0)
        {
            return subject;
        }

        var keep = attributes.Select(AttributeOid).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var rdn in subject.EnumerateRelativeDistinguishedNames(reversed: false))
            {
                if (!rdn.HasMultipleElements && keep.Contains(rdn.GetSingleElementType().Value!))
                {
                    writer.WriteEncodedValue(rdn.RawData.Span);
                }
            }
        }

        return new X500DistinguishedName(writer.Encode());
    }

    /// <summary>
    /// The subjectAltName: the request's names of the kinds the profile copies, plus (EJBCA's Cisco PIX rule) a dNSName
    /// from the unstructuredName of the subject or of the request's attributes. Null when there is none.
    /// </summary>
    public static X509Extension? AlternativeNames(Pkcs10Request request, X500DistinguishedName subject, CertificateProfile profile)
    {
        var builder = new SubjectAlternativeNameBuilder();
        var dnsNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var any = false;
        var kinds = profile.CopiedSubjectAlternativeNames;
        foreach (var requested in request.RequestedExtensions.Where(e => e.Oid?.Value == SubjectAlternativeNameOid).Take(1))
        {
            foreach (var (tag, value) in GeneralNames(requested.RawData))
            {
                switch (tag)
                {
                    case 2 when kinds.HasFlag(SubjectAlternativeNameKinds.Dns) && dnsNames.Add(value):
                        builder.AddDnsName(value);
                        any = true;
                        break;
                    case 7 when kinds.HasFlag(SubjectAlternativeNameKinds.IpAddress) && IPAddress.TryParse(value, out var address):
                        builder.AddIpAddress(address);
                        any = true;
                        break;
                    case 1 when kinds.HasFlag(SubjectAlternativeNameKinds.Email):
                        builder.AddEmailAddress(value);
                        any = true;
                        break;
                    case 6 when kinds.HasFlag(SubjectAlternativeNameKinds.Uri) && Uri.TryCreate(value, UriKind.Absolute, out var uri):
                        builder.AddUri(uri);
                        any = true;
                        break;
                    case 0 when kinds.HasFlag(SubjectAlternativeNameKinds.UserPrincipalName):
                        builder.AddUserPrincipalName(value);
                        any = true;
                        break;
                }
            }
        }

        var fqdn = profile.DnsNameFromUnstructuredName ? UnstructuredName(subject) ?? request.UnstructuredName : null;
        if (!string.IsNullOrEmpty(fqdn) && dnsNames.Add(fqdn))
        {
            builder.AddDnsName(fqdn);
            any = true;
        }

        return any ? builder.Build() : null;
    }

    private static string? UnstructuredName(X500DistinguishedName subject) =>
        subject.EnumerateRelativeDistinguishedNames(reversed: false)
            .Where(r => !r.HasMultipleElements && r.GetSingleElementType().Value == UnstructuredNameOid)
            .Select(r => r.GetSingleElementValue())
            .FirstOrDefault(v => !string.IsNullOrEmpty(v));

    /// <summary>The GeneralNames of a subjectAltName extension value (RFC 5280 §4.2.1.6), as (context tag, text); unreadable ones are skipped.</summary>
    private static List<(int Tag, string Value)> GeneralNames(byte[] extensionValue)
    {
        var names = new List<(int, string)>();
        try
        {
            var sequence = new AsnReader(extensionValue, AsnEncodingRules.DER).ReadSequence();
            while (sequence.HasData)
            {
                var tag = sequence.PeekTag();
                if (tag.TagClass != TagClass.ContextSpecific)
                {
                    sequence.ReadEncodedValue();
                    continue;
                }

                switch (tag.TagValue)
                {
                    case 1 or 2 or 6:
                        names.Add((tag.TagValue, sequence.ReadCharacterString(UniversalTagNumber.IA5String, tag)));
                        break;
                    case 7:
                        var octets = sequence.ReadOctetString(tag);
                        if (octets.Length is 4 or 16)
                        {
                            names.Add((7, new IPAddress(octets).ToString()));
                        }

                        break;
                    case 0:
                        var other = sequence.ReadSequence(tag);
                        var typeId = other.ReadObjectIdentifier();
                        var explicitValue = other.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
                        if (typeId == UserPrincipalNameOid && explicitValue.PeekTag().HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.UTF8String)))
                        {
                            names.Add((0, explicitValue.ReadCharacterString(UniversalTagNumber.UTF8String)));
                        }

                        break;
                    default:
                        sequence.ReadEncodedValue();
                        break;
                }
            }
        }
        catch (AsnContentException)
        {
        }
        catch (ArgumentException)
        {
        }

        return names;
    }
}
