using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace Scep.Protocol.Server.Tests.Quirks;

/// <summary>
/// Issue 16 item 1: the device quirk catalogue is complete and honest: every quirk says what device it is for, where
/// that is known from and what it does; an always-on quirk names code that exists; a setting quirk changes an alias,
/// idempotently, without dropping the default algorithms.
/// </summary>
public class DeviceQuirkTests
{
    private static IEnumerable<DeviceQuirk> Settings => DeviceQuirks.All.Where(q => q.IsSetting);

    private static IEnumerable<TestCaseData> SettingCases() =>
        DeviceQuirks.All.Where(q => q.IsSetting).Select(q => new TestCaseData(q.Name).SetArgDisplayNames(q.Name));

    private static IEnumerable<TestCaseData> AlwaysOnCases() =>
        DeviceQuirks.All.Where(q => !q.IsSetting).Select(q => new TestCaseData(q.Name).SetArgDisplayNames(q.Name));

    private static DeviceQuirk Named(string name) => DeviceQuirks.All.Single(q => q.Name == name);

    /// <summary>Every public property of the options, lists and dictionaries by their contents: two equal snapshots are equal options.</summary>
    private static string Snapshot(ScepAliasOptions options) =>
        string.Join("\n", typeof(ScepAliasOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + Describe(p.GetValue(options))));

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => s,
        IEnumerable items => "[" + string.Join(",", items.Cast<object?>().Select(Describe)) + "]",
        _ => value.ToString() ?? string.Empty,
    };

    [Test]
    public void All_EveryQuirk_HasANameDeviceSourceAndEffect()
    {
        DeviceQuirks.All.Should().NotBeEmpty();
        DeviceQuirks.All.Should().OnlyContain(q =>
            !string.IsNullOrWhiteSpace(q.Name) && !string.IsNullOrWhiteSpace(q.Device) && !string.IsNullOrWhiteSpace(q.Source)
            && !string.IsNullOrWhiteSpace(q.Effect) && !string.IsNullOrWhiteSpace(q.HandledBy));
        DeviceQuirks.All.Should().OnlyContain(q => q.ToString() == q.Name);
    }

    [Test]
    public void All_NamesAreUniqueIgnoringCase_AndIncludeBothSettingsAndAlwaysOnQuirks()
    {
        DeviceQuirks.All.Select(q => q.Name.ToUpperInvariant()).Should().OnlyHaveUniqueItems();
        Settings.Should().NotBeEmpty();
        DeviceQuirks.All.Should().Contain(q => !q.IsSetting);
    }

    [Test]
    public void All_ListsEveryDeclaredQuirk_EachNamedAfterItsProperty()
    {
        var declared = typeof(DeviceQuirks).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .Where(p => p.PropertyType == typeof(DeviceQuirk))
            .Select(p => (Property: p.Name, Quirk: (DeviceQuirk)p.GetValue(null)!))
            .ToList();

        declared.Should().HaveSameCount(DeviceQuirks.All, "a quirk declared in a device file but missing from All is never applied or validated");
        declared.Should().OnlyContain(d => DeviceQuirks.All.Contains(d.Quirk) && d.Quirk.Name == d.Property);
    }

    [TestCaseSource(nameof(SettingCases))]
    public void Find_ASettingInAnyCase_ReturnsThatQuirk(string name)
    {
        var quirk = Named(name);

        DeviceQuirks.Find(name).Should().BeSameAs(quirk);
        DeviceQuirks.Find(name.ToUpperInvariant()).Should().BeSameAs(quirk);
        DeviceQuirks.Find(name.ToLowerInvariant()).Should().BeSameAs(quirk);
    }

    [TestCaseSource(nameof(AlwaysOnCases))]
    public void Find_AnAlwaysOnQuirk_IsNull_SoNoAliasCanListIt(string name)
    {
        DeviceQuirks.Find(name).Should().BeNull();
    }

    [TestCase("")]
    [TestCase("Cisco")]
    [TestCase("CiscoPix ")]
    public void Find_AnUnknownName_IsNull(string name)
    {
        DeviceQuirks.Find(name).Should().BeNull();
    }

    [TestCaseSource(nameof(AlwaysOnCases))]
    public void HandledBy_OfAnAlwaysOnQuirk_NamesTypesAndMembersThatExist(string name)
    {
        var assemblies = new[] { typeof(PkiMessage).Assembly, typeof(ScepRequestHandler).Assembly };
        var types = assemblies.SelectMany(a => a.GetTypes()).ToList();
        var handledBy = Named(name).HandledBy;

        // "Type.Member (note); OtherType": every part names a type, optionally a member of it, and optionally a note.
        foreach (var part in handledBy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var reference = part.Split(' ', 2)[0];
            var typeName = reference.Split('.')[0];
            var type = types.FirstOrDefault(t => t.Name == typeName);
            type.Should().NotBeNull($"'{handledBy}' names the type {typeName}, which should exist in Scep.Protocol or Scep.Protocol.Server");
            if (reference.Contains('.', StringComparison.Ordinal))
            {
                var member = reference.Split('.')[1];
                type!.GetMember(member, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance)
                    .Should().NotBeEmpty($"'{handledBy}' names the member {typeName}.{member}");
            }
        }
    }

    [TestCaseSource(nameof(SettingCases))]
    public void HandledBy_OfASetting_IsTheDevicesOption(string name)
    {
        Named(name).HandledBy.Should().Be("ScepAliasOptions.Devices");
    }

    [TestCaseSource(nameof(SettingCases))]
    public void ApplyTo_ASettingOnFreshOptions_ChangesSomething(string name)
    {
        var options = new ScepAliasOptions();
        var before = Snapshot(options);

        Named(name).ApplyTo(options);

        Snapshot(options).Should().NotBe(before);
    }

    [TestCaseSource(nameof(SettingCases))]
    public void ApplyTo_Twice_EqualsOnce(string name)
    {
        var once = new ScepAliasOptions();
        var twice = new ScepAliasOptions();

        Named(name).ApplyTo(once);
        Named(name).ApplyTo(twice);
        Named(name).ApplyTo(twice);

        Snapshot(twice).Should().Be(Snapshot(once));
    }

    [TestCaseSource(nameof(SettingCases))]
    public void ApplyTo_ASetting_KeepsTheDefaultAlgorithms(string name)
    {
        var options = new ScepAliasOptions();

        Named(name).ApplyTo(options);

        options.EffectiveEncryptionAlgorithms.Should().Contain(ScepAliasOptions.DefaultEncryptionAlgorithms);
        options.EffectiveDigestAlgorithms.Should().Contain(ScepAliasOptions.DefaultDigestAlgorithms);
    }

    [Test]
    public void ApplyTo_AListQuirkOnAnAliasWithItsOwnList_AddsToThatListInsteadOfTheDefaults()
    {
        var options = new ScepAliasOptions { DigestAlgorithms = { ScepDigest.Sha512 }, EncryptionAlgorithms = { ContentEncryptionAlgorithm.Aes256Cbc } };

        DeviceQuirks.CiscoPix.ApplyTo(options);

        options.EffectiveDigestAlgorithms.Should().BeEquivalentTo([ScepDigest.Sha512, ScepDigest.Md5, ScepDigest.Sha1]);
        options.EffectiveEncryptionAlgorithms.Should().BeEquivalentTo(
            [ContentEncryptionAlgorithm.Aes256Cbc, ContentEncryptionAlgorithm.DesCbc, ContentEncryptionAlgorithm.TripleDesCbc]);
    }

    [Test]
    public void ApplyTo_AnAlwaysOnQuirk_ChangesNothing()
    {
        var options = new ScepAliasOptions();
        var before = Snapshot(options);

        foreach (var quirk in DeviceQuirks.All.Where(q => !q.IsSetting))
        {
            quirk.ApplyTo(options);
        }

        Snapshot(options).Should().Be(before);
    }
}
