using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading.Tasks;

namespace Scep.Protocol.Pkcs11.Tests;

/// <summary>
/// What a host sees when a token cannot be used: one exception type whose Failure says why and whose message names the
/// module, token or object and never the PIN; and a token pulled out while in use fails its operations, then works
/// again as soon as it is back, without reopening.
/// </summary>
[NonParallelizable]
public class Pkcs11FailureTests
{
    private const string Pin = "2222-failures-secret";

    [Test]
    public async Task Open_WithAWrongPin_IsWrongPin_AndTheMessageHasNoPin()
    {
        var (pinFile, _) = await SoftHsm.CreateTokenAsync("wrong-pin", Pin);
        await File.WriteAllTextAsync(pinFile, "9999-not-the-pin\n");

        var act = () => Pkcs11Token.Open(SoftHsm.Uri("wrong-pin", pinFile));

        var thrown = act.Should().Throw<Pkcs11KeyException>().Which;
        thrown.Failure.Should().Be(Pkcs11Failure.WrongPin);
        thrown.ReturnValue.Should().Be("CKR_PIN_INCORRECT");
        thrown.Message.Should().Contain("wrong-pin").And.Contain(pinFile).And.NotContain("9999-not-the-pin").And.NotContain(Pin);
        thrown.ToString().Should().NotContain("9999-not-the-pin");
    }

    [Test]
    public void Open_WithAMissingModule_IsModuleNotLoadedNamingThePath()
    {
        var act = () => Pkcs11Token.Open(Pkcs11Uri.Parse("pkcs11:token=x?module-path=/nonexistent/libnothing.so&pin-value=1"));

        var thrown = act.Should().Throw<Pkcs11KeyException>().Which;
        thrown.Failure.Should().Be(Pkcs11Failure.ModuleNotLoaded);
        thrown.Message.Should().Contain("/nonexistent/libnothing.so");
    }

    [Test]
    public async Task Open_ForATokenThatIsNotThere_IsTokenNotFoundListingTheTokens()
    {
        var (pinFile, _) = await SoftHsm.CreateTokenAsync("present", Pin);

        var act = () => Pkcs11Token.Open(SoftHsm.Uri("absent", pinFile));

        var thrown = act.Should().Throw<Pkcs11KeyException>().Which;
        thrown.Failure.Should().Be(Pkcs11Failure.TokenNotFound);
        thrown.Message.Should().Contain("token='absent'").And.Contain("'present'");
    }

    [Test]
    public async Task Open_WithoutAPin_IsPinMissing()
    {
        await SoftHsm.CreateTokenAsync("no-pin", Pin);

        var act = () => Pkcs11Token.Open(Pkcs11Uri.Parse($"pkcs11:token=no-pin?module-path={SoftHsm.Module}"));

        act.Should().Throw<Pkcs11KeyException>().Which.Failure.Should().Be(Pkcs11Failure.PinMissing);
    }

    [Test]
    public async Task Open_WithThePinFromTheEnvironment_LogsIn()
    {
        await SoftHsm.CreateTokenAsync("env-pin", Pin);
        Environment.SetEnvironmentVariable("SCEP_TEST_PKCS11_PIN", Pin);

        using var token = Pkcs11Token.Open(Pkcs11Uri.Parse($"pkcs11:token=env-pin?module-path={SoftHsm.Module}"),
            new Pkcs11TokenOptions { Pin = Pkcs11Pin.FromEnvironment("SCEP_TEST_PKCS11_PIN") });
        using var key = token.GenerateEcdsaKey("k", ECCurve.NamedCurves.nistP256);

        key.SignData([1, 2, 3], HashAlgorithmName.SHA256).Should().NotBeEmpty();
        Pkcs11Pin.FromEnvironment("SCEP_TEST_PKCS11_PIN").ToString().Should().NotContain(Pin);
    }

    [Test]
    public async Task TokenPulledWhileInUse_OperationsFailAsTokenRemoved_AndWorkAgainOnceItIsBack()
    {
        var (pinFile, folder) = await SoftHsm.CreateTokenAsync("removable", Pin);
        using var token = Pkcs11Token.Open(SoftHsm.Uri("removable", pinFile));
        using var key = token.GenerateRsaKey("ca", 2048);
        using var verifier = RSA.Create(key.ExportParameters(false));
        byte[] data = [1, 2, 3, 4];
        key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).Should().NotBeEmpty();
        var pulled = Path.Combine(SoftHsm.Directory, "pulled-" + Path.GetFileName(folder));

        Directory.Move(folder, pulled);
        var whileGone = () => key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var gone = whileGone.Should().Throw<Pkcs11KeyException>().Which;
        var again = whileGone.Should().Throw<Pkcs11KeyException>().Which;
        Directory.Move(pulled, folder);
        var signature = key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        gone.Failure.Should().Be(Pkcs11Failure.TokenRemoved, gone.Message);
        again.Failure.Should().Be(Pkcs11Failure.TokenRemoved, again.Message);
        gone.Message.Should().NotContain(Pin);
        verifier.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).Should().BeTrue("the same key signs once the token is back");
    }
}
