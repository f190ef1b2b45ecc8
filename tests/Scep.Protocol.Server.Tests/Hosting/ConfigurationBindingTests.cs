using System.Collections.Generic;
using Microsoft.Extensions.Configuration;

namespace Scep.Protocol.Server.Tests.Hosting;

/// <summary>Aliases bound from configuration (appsettings.json, <c>Scep:Aliases:{name}</c>) get exactly what is configured.</summary>
public class ConfigurationBindingTests
{
    private static ScepServerOptions Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new ScepServerOptions();
        configuration.GetSection("Scep").Bind(options);
        return options;
    }

    [Test]
    public void Bind_AliasWithoutAlgorithmLists_UsesTheDefaultSets()
    {
        var options = Bind(new() { ["Scep:Aliases:scep:Mode"] = "Ca" });

        var alias = options.Aliases["scep"];
        alias.EffectiveEncryptionAlgorithms.Should().BeEquivalentTo(ScepAliasOptions.DefaultEncryptionAlgorithms);
        alias.EffectiveDigestAlgorithms.Should().BeEquivalentTo(ScepAliasOptions.DefaultDigestAlgorithms);
    }

    [Test]
    public void Bind_ConfiguredAlgorithmLists_ReplaceTheDefaultsInsteadOfAddingToThem()
    {
        var options = Bind(new()
        {
            ["Scep:Aliases:strict:EncryptionAlgorithms:0"] = "Aes256Cbc",
            ["Scep:Aliases:strict:DigestAlgorithms:0"] = "Sha512",
        });

        var alias = options.Aliases["STRICT"];
        alias.EffectiveEncryptionAlgorithms.Should().Equal(ContentEncryptionAlgorithm.Aes256Cbc);
        alias.EffectiveDigestAlgorithms.Should().Equal(ScepDigest.Sha512);
    }

    [Test]
    public void Bind_EveryScalarOption_IsRead()
    {
        var options = Bind(new()
        {
            ["Scep:DefaultAlias"] = "pix",
            ["Scep:Aliases:pix:Mode"] = "Ra",
            ["Scep:Aliases:pix:ForcedReplyDigest"] = "Md5",
            ["Scep:Aliases:pix:IncludeCaCertificateInReply"] = "false",
            ["Scep:Aliases:pix:SigningTimeTolerance"] = "00:10:00",
            ["Scep:Aliases:pix:CaIdentifiers:0"] = "MobileIronSCEP",
            ["Scep:Aliases:pix:RaEntityDefaults:profile"] = "ROUTER",
        });

        options.DefaultAlias.Should().Be("pix");
        var alias = options.Aliases["pix"];
        alias.Mode.Should().Be(ScepOperationMode.Ra);
        alias.ForcedReplyDigest.Should().Be(ScepDigest.Md5);
        alias.IncludeCaCertificateInReply.Should().BeFalse();
        alias.SigningTimeTolerance.Should().Be(System.TimeSpan.FromMinutes(10));
        alias.CaIdentifiers.Should().Equal("MobileIronSCEP");
        alias.RaEntityDefaults.Should().Contain("profile", "ROUTER");
    }
}
