using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;

namespace Scep.Protocol.Webhooks;

/// <summary>
/// The subjectAltName a PKCS#10 request asks for (its extensionRequest, RFC 2985 §5.4.2), by kind: GeneralNames of
/// RFC 5280 §4.2.1.6 — rfc822Name [1], dNSName [2], uniformResourceIdentifier [6], iPAddress [7]. Other kinds are
/// left out. A malformed extension gives no names (the CSR itself is sent too).
/// </summary>
internal sealed class CsrNames
{
    private const string SubjectAltNameOid = "2.5.29.17";

    public List<string> Dns { get; } = [];

    public List<string> IpAddresses { get; } = [];

    public List<string> Emails { get; } = [];

    public List<string> Uris { get; } = [];

    public static CsrNames From(Pkcs10Request csr)
    {
        var names = new CsrNames();
        foreach (var extension in csr.RequestedExtensions)
        {
            if (extension.Oid?.Value == SubjectAltNameOid)
            {
                try
                {
                    names.Read(extension.RawData);
                }
                catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException)
                {
                    names.Dns.Clear();
                    names.IpAddresses.Clear();
                    names.Emails.Clear();
                    names.Uris.Clear();
                }
            }
        }

        return names;
    }

    private void Read(byte[] der)
    {
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
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
                case 1:
                    Emails.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    break;
                case 2:
                    Dns.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    break;
                case 6:
                    Uris.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    break;
                case 7:
                    IpAddresses.Add(new IPAddress(sequence.ReadOctetString(tag)).ToString());
                    break;
                default:
                    sequence.ReadEncodedValue();
                    break;
            }
        }
    }
}
