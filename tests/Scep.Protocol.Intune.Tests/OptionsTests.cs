using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.Intune.Tests;

/// <summary>Settings that cannot work are refused at start, each naming the setting and never a secret.</summary>
public class OptionsTests
{
    [TestCase("tenant", "TenantId is required")]
    [TestCase("client", "ClientId is the app registration's application id")]
    [TestCase("no credential", "set ClientSecret or ClientCertificate")]
    [TestCase("no alias", "Aliases names no alias")]
    [TestCase("http", "must be https")]
    public void BadOptions_AreRefusedNamingTheSetting(string problem, string expected)
    {
        var services = new ServiceCollection();
        services.AddScepServer().AddIntuneValidation(o =>
        {
            o.TenantId = problem == "tenant" ? string.Empty : "contoso.onmicrosoft.com";
            o.ClientId = problem == "client" ? "not-a-guid" : Guid.NewGuid().ToString();
            o.ClientSecret = problem == "no credential" ? null : "secret-value-SECRET";
            if (problem != "no alias")
            {
                o.Aliases.Add("intune");
            }

            if (problem == "http")
            {
                o.GraphEndpoint = new Uri("http://graph.example");
            }
        });
        using var provider = services.BuildServiceProvider();

        var read = () => provider.GetRequiredService<IOptions<IntuneOptions>>().Value;

        read.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(expected).And.NotContain("SECRET");
    }

    [Test]
    public void ToString_ShowsNoSecret()
    {
        var options = new IntuneOptions { TenantId = "t", ClientId = "c", ClientSecret = "secret-value-SECRET" };

        options.ToString().Should().Contain("credential secret").And.NotContain("SECRET");
    }
}
