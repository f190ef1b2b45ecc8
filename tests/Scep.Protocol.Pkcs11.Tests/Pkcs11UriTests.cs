using System;

namespace Scep.Protocol.Pkcs11.Tests;

/// <summary>RFC 7512 URIs: the attributes a host uses, percent-encoding, and the URIs that must be refused.</summary>
public class Pkcs11UriTests
{
    [Test]
    public void Parse_PathAndQueryAttributes_AreRead()
    {
        var uri = Pkcs11Uri.Parse("pkcs11:token=scep%20ca;manufacturer=SoftHSM%20project;serial=abc;model=SoftHSM%20v2;object=ca-key;type=private;id=%01%ff?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin");

        uri.Token.Should().Be("scep ca");
        uri.Manufacturer.Should().Be("SoftHSM project");
        uri.Serial.Should().Be("abc");
        uri.Model.Should().Be("SoftHSM v2");
        uri.Object.Should().Be("ca-key");
        uri.Type.Should().Be("private");
        uri.Id!.Value.ToArray().Should().Equal(0x01, 0xFF);
        uri.ModulePath.Should().Be("/usr/lib/softhsm/libsofthsm2.so");
        uri.PinSource.Should().Be("file:/run/pin");
        uri.HasPinValue.Should().BeFalse();
    }

    [Test]
    public void Parse_SchemeInAnyCase_IsAccepted_Rfc7512Section2_3()
    {
        Pkcs11Uri.Parse("PKCS11:token=a").Token.Should().Be("a");
    }

    [Test]
    public void Parse_Utf8PercentEncodedLabel_IsDecodedAsUtf8()
    {
        Pkcs11Uri.Parse("pkcs11:object=Cl%C3%A9").Object.Should().Be("Clé");
    }

    [TestCase("token=a", "starts with 'pkcs11:'", TestName = "Parse_WithoutScheme_IsRefused")]
    [TestCase("pkcs11:token=a;token=b", "names 'token' twice", TestName = "Parse_RepeatedAttribute_IsRefused_Rfc7512Section2_3")]
    [TestCase("pkcs11:objct=a", "unknown path attribute 'objct'", TestName = "Parse_MisspeltAttribute_IsRefusedRatherThanMatchingEverything")]
    [TestCase("pkcs11:id=%zz", "two hex digits", TestName = "Parse_BadPercentEncoding_IsRefused")]
    [TestCase("pkcs11:type=secret", "not one of private", TestName = "Parse_UnknownType_IsRefused_Rfc7512Section2_3")]
    [TestCase("pkcs11:token", "not name=value", TestName = "Parse_AttributeWithoutValue_IsRefused")]
    [TestCase("pkcs11:token=a#x", "no fragment", TestName = "Parse_Fragment_IsRefused")]
    [TestCase("pkcs11:token=a?pin-file=/x", "unknown query attribute 'pin-file'", TestName = "Parse_UnknownQueryAttribute_IsRefused")]
    public void Parse_BadUri_IsAFormatExceptionNamingThePart(string text, string expected)
    {
        var act = () => Pkcs11Uri.Parse(text);

        act.Should().Throw<FormatException>().WithMessage($"*{expected}*");
    }

    [Test]
    public void Parse_VendorAttribute_IsAccepted_Rfc7512Section2_3()
    {
        Pkcs11Uri.Parse("pkcs11:token=a;x-vendor=1").Token.Should().Be("a");
    }

    [Test]
    public void ToString_LeavesOutThePinValue()
    {
        var uri = Pkcs11Uri.Parse("pkcs11:token=a;object=k?pin-value=secret-1234&module-path=/m.so");

        uri.HasPinValue.Should().BeTrue();
        uri.ToString().Should().NotContain("secret-1234").And.Contain("token=a").And.Contain("module-path=/m.so");
        Pkcs11Pin.FromUri(uri)!.ToString().Should().NotContain("secret-1234");
    }

    [Test]
    public void WithObject_ReplacesTheLabelAndDropsTheId()
    {
        var uri = Pkcs11Uri.Parse("pkcs11:token=a;object=k;id=%01?module-path=/m.so");

        var other = uri.WithObject("k-next");

        other.Object.Should().Be("k-next");
        other.Id.Should().BeNull();
        other.Token.Should().Be("a");
        other.ModulePath.Should().Be("/m.so");
    }

    [Test]
    public void ToString_RoundTripsThroughParse()
    {
        var uri = Pkcs11Uri.Parse("pkcs11:token=scep%20ca;object=k%3B1;id=%00%10?module-path=/m.so");

        var again = Pkcs11Uri.Parse(uri.ToString());

        again.Token.Should().Be("scep ca");
        again.Object.Should().Be("k;1");
        again.Id!.Value.ToArray().Should().Equal(0x00, 0x10);
    }
}
