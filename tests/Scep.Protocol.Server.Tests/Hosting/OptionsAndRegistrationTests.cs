using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server.InMemory;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Hosting;

/// <summary>Issue point 1: options are validated at start-up with messages that name the setting; registration is forgiving.</summary>
public class OptionsAndRegistrationTests
{
    private static ServiceCollection Services(Action<ScepServerOptions> configure, bool withEntityStore = true, bool withAuthority = true, Action<ScepServerBuilder>? build = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddScepServer(configure);
        build?.Invoke(builder);
        if (withAuthority)
        {
            builder.AddEnrollmentAuthority(new InMemoryEnrollmentAuthority());
        }

        if (withEntityStore)
        {
            builder.AddEndEntityStore<InMemoryEndEntityStore>();
        }

        builder.AddCredentials("default", ScepCaCredentials.ForCa(TestPki.Ca.Certificate, TestPki.Ca.Rsa));
        return services;
    }

    private static string ValidationMessage(Action<ScepServerOptions> configure, bool withEntityStore = true)
    {
        using var provider = Services(configure, withEntityStore).BuildServiceProvider();
        var resolve = () => provider.GetRequiredService<IOptions<ScepServerOptions>>().Value;
        return resolve.Should().Throw<OptionsValidationException>().Which.Message;
    }

    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return Case("EmptyAliases", o => { }, "Scep:Aliases is empty");
        yield return Case("UnknownDefaultAlias", o => { o.Aliases["ra"] = RaAlias(); o.DefaultAlias = "missing"; }, "Scep:DefaultAlias 'missing'");
        yield return Case("AliasNameWithSlash", o => { o.Aliases["a/b"] = RaAlias(); o.DefaultAlias = "a/b"; }, "Alias name 'a/b'");
        yield return Case("EmptyCaName", o => Single(o).CaName = " ", "Scep:Aliases:scep:CaName");
        yield return Case("RaWithoutChallengeOrValidator", o => Single(o).RaChallenge = null, "Scep:Aliases:scep:Mode is Ra, which needs RaChallenge, TrustedRaSigners or an IChallengeValidator");
        yield return Case("TrustedRaSignerNotAFingerprint", o => Single(o).TrustedRaSigners.Add("abc"), "Scep:Aliases:scep:TrustedRaSigners: 'abc' is not a SHA-256 fingerprint");
        yield return Case("EmptyRaChallenge", o => Single(o).RaChallenge = "", "Scep:Aliases:scep:RaChallenge is empty");
        yield return Case("WhitespaceRaChallenge", o => Single(o).RaChallenge = "  ", "Scep:Aliases:scep:RaChallenge is empty");
        yield return Case("UndefinedEncryptionAlgorithm", o => Single(o).EncryptionAlgorithms.Add((ContentEncryptionAlgorithm)99), "Scep:Aliases:scep:EncryptionAlgorithms");
        yield return Case("UndefinedForcedDigest", o => Single(o).ForcedReplyDigest = (ScepDigest)42, "Scep:Aliases:scep:ForcedReplyDigest");
        yield return Case("NeitherGetNorPost", o => { Single(o).AllowGet = false; Single(o).AllowPost = false; }, "Scep:Aliases:scep:AllowGet and AllowPost");
        yield return Case("TinyMaxMessageSize", o => Single(o).MaxMessageSize = 100, "Scep:Aliases:scep:MaxMessageSize");
        yield return Case("HugeMaxMessageSize", o => Single(o).MaxMessageSize = int.MaxValue, "Scep:Aliases:scep:MaxMessageSize");
        yield return Case("ZeroSigningTimeTolerance", o => Single(o).SigningTimeTolerance = TimeSpan.Zero, "Scep:Aliases:scep:SigningTimeTolerance");
        yield return Case("FractionAboveOne", o => Single(o).RenewalMinimumElapsedFraction = 1.5, "Scep:Aliases:scep:RenewalMinimumElapsedFraction");
        yield return Case("NegativeFraction", o => Single(o).RenewalMinimumElapsedFraction = -0.1, "Scep:Aliases:scep:RenewalMinimumElapsedFraction");
        yield return Case("NaNFraction", o => Single(o).RenewalMinimumElapsedFraction = double.NaN, "Scep:Aliases:scep:RenewalMinimumElapsedFraction");
        yield return Case("OldKeyWithoutRenewal", o => Single(o).AllowRenewalWithOldKey = true, "Scep:Aliases:scep:AllowRenewalWithOldKey needs AllowRenewal");
        yield return Case("UndefinedMode", o => Single(o).Mode = (ScepOperationMode)7, "Scep:Aliases:scep:Mode '7'");
        yield return Case("ZeroStaleReservationTimeout", o => { Single(o); o.StaleReservationTimeout = TimeSpan.Zero; }, "Scep:StaleReservationTimeout");

        static TestCaseData Case(string name, Action<ScepServerOptions> configure, string expected) =>
            new TestCaseData(configure, expected).SetName("Validate_" + name + "_NamesTheSetting");
    }

    private static ScepAliasOptions RaAlias() => new() { Mode = ScepOperationMode.Ra, RaChallenge = "secret" };

    private static ScepAliasOptions Single(ScepServerOptions options)
    {
        if (!options.Aliases.TryGetValue("scep", out var alias))
        {
            options.Aliases["scep"] = alias = RaAlias();
        }

        return alias;
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void Validate_InvalidSetting_FailsAtStartUpNamingIt(Action<ScepServerOptions> configure, string expected)
    {
        ValidationMessage(configure).Should().Contain(expected);
    }

    [Test]
    public void Validate_CaModeWithoutAnEndEntityStore_NamesTheAliasAndTheMissingService()
    {
        var message = ValidationMessage(o => o.Aliases["scep"] = new ScepAliasOptions { Mode = ScepOperationMode.Ca }, withEntityStore: false);

        message.Should().Contain("Scep:Aliases:scep:Mode is Ca, which needs an IEndEntityStore");
    }

    [Test]
    public void Validate_SeveralProblems_AreAllReported()
    {
        var message = ValidationMessage(o =>
        {
            Single(o).MaxMessageSize = 1;
            Single(o).RenewalMinimumElapsedFraction = 2;
        });

        message.Should().Contain("MaxMessageSize").And.Contain("RenewalMinimumElapsedFraction");
    }

    [Test]
    public void Validate_ResolvingTheHandler_FailsWithTheValidationMessage()
    {
        using var provider = Services(o => { }).BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<ScepRequestHandler>();

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*Scep:Aliases is empty*");
    }

    [Test]
    public void Validate_ValidOptions_Pass()
    {
        using var provider = Services(o =>
        {
            o.Aliases["scep"] = new ScepAliasOptions();
            o.Aliases["ra"] = RaAlias();
        }).BuildServiceProvider();

        provider.GetRequiredService<ScepRequestHandler>().Aliases.Should().BeEquivalentTo("scep", "ra");
    }

    [Test]
    public void Validate_RaModeWithAChallengeValidatorAndNoStaticChallenge_Passes()
    {
        using var provider = Services(
            o => o.Aliases["scep"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra },
            build: b => b.AddChallengeValidator((_, _) => ValueTask.FromResult(true))).BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IOptions<ScepServerOptions>>().Value;

        resolve.Should().NotThrow();
    }

    [Test]
    public async Task AddScepServer_CalledTwice_RegistersOnceAndServes()
    {
        var services = Services(o => o.Aliases["scep"] = RaAlias());
        services.AddScepServer(o => o.Aliases["second"] = RaAlias());
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var handler = provider.GetRequiredService<ScepRequestHandler>();
        var response = await handler.HandleAsync(new ScepHttpRequest { Method = "GET", Alias = "second", QueryString = "operation=GetCACaps" }, default);

        services.Count(d => d.ServiceType == typeof(ScepRequestHandler)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<ScepServerOptions>)).Should().Be(1);
        handler.Aliases.Should().BeEquivalentTo("scep", "second");
        response.StatusCode.Should().Be(200);
    }

    [Test]
    public void AddScepServer_WithoutAnEnrollmentAuthority_SaysHowToRegisterOne()
    {
        using var provider = Services(o => o.Aliases["scep"] = RaAlias(), withAuthority: false).BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<ScepRequestHandler>();

        resolve.Should().Throw<InvalidOperationException>()
            .WithMessage("The SCEP server needs an IEnrollmentAuthority: register one with services.AddScepServer(...).AddEnrollmentAuthority(...).");
    }

    [Test]
    public void AddScepServer_WithoutCredentials_SaysHowToRegisterThem()
    {
        var services = new ServiceCollection();
        services.AddScepServer(o => o.Aliases["scep"] = RaAlias()).AddEnrollmentAuthority(new InMemoryEnrollmentAuthority());
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<ScepRequestHandler>();

        resolve.Should().Throw<InvalidOperationException>().WithMessage("*IScepCredentialProvider*AddCredentials*");
    }
}
