using System;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Cli;

/// <summary>The fields of a CRL (RFC 5280 §5.1) worth printing: issuer, thisUpdate, nextUpdate, number of entries.</summary>
internal sealed record CrlSummary(string Issuer, DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate, int Entries)
{
    public static CrlSummary? TryRead(ReadOnlyMemory<byte> der)
    {
        try
        {
            var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger(); // version
            }

            tbs.ReadSequence(); // signature
            var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span).Name;
            var thisUpdate = ReadTime(tbs);
            DateTimeOffset? nextUpdate = null;
            if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
            {
                nextUpdate = ReadTime(tbs);
            }

            var entries = 0;
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var revoked = tbs.ReadSequence();
                while (revoked.HasData)
                {
                    revoked.ReadEncodedValue();
                    entries++;
                }
            }

            return new CrlSummary(issuer, thisUpdate, nextUpdate, entries);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
