using System;
using System.Linq;
using System.Reflection;

namespace Scep.Protocol.Tests.Conventions;

/// <summary>Conventions the codec package keeps (docs/architecture.md): sealed or static public types, no BouncyCastle in the public surface, no settable state on decoded messages.</summary>
public class PublicApiConventionTests
{
    private static readonly Assembly Codec = typeof(PkiMessage).Assembly;

    [Test]
    public void PublicClasses_AreSealedOrStatic()
    {
        var open = Codec.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsSealed && !(t.IsAbstract && t.IsSealed))
            .Select(t => t.FullName);

        open.Should().BeEmpty();
    }

    [Test]
    public void PublicSurface_NamesNoBouncyCastleType()
    {
        var offenders = Codec.GetExportedTypes()
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .SelectMany(m => TypesOf(m).Select(type => $"{t.Name}.{m.Name}: {type.FullName}")))
            .Where(s => s.Contains("Org.BouncyCastle", StringComparison.Ordinal));

        offenders.Should().BeEmpty();
        Codec.GetReferencedAssemblies().Select(a => a.Name).Should().NotContain(n => n!.StartsWith("BouncyCastle", StringComparison.Ordinal));
    }

    [TestCase(typeof(PkiMessage))]
    [TestCase(typeof(PkiEnvelope))]
    [TestCase(typeof(Pkcs10Request))]
    [TestCase(typeof(DegenerateCertificateSet))]
    [TestCase(typeof(CaCertificates))]
    [TestCase(typeof(CaCapabilities))]
    [TestCase(typeof(IssuerAndSerialNumber))]
    [TestCase(typeof(IssuerAndSubject))]
    [TestCase(typeof(NextCaCertificates))]
    [TestCase(typeof(PkiMessageContent))]
    public void DecodedTypes_HaveNoPublicSetters(Type type)
    {
        var settable = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true })
            .Select(p => p.Name);

        settable.Should().BeEmpty();
        type.GetConstructors().Should().BeEmpty("decoded types are made by factories");
    }

    private static Type[] TypesOf(MemberInfo member) => member switch
    {
        MethodInfo m => [m.ReturnType, .. m.GetParameters().Select(p => p.ParameterType)],
        PropertyInfo p => [p.PropertyType],
        FieldInfo f => [f.FieldType],
        ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType).ToArray(),
        _ => [],
    };
}
