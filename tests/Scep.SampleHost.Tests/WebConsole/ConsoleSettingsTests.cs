using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;
using Scep.SampleHost.WebConsole;

namespace Scep.SampleHost.Tests.WebConsole;

/// <summary>
/// The console's settings and passwords: PBKDF2 hashes verify the right password only; the hash-password command's
/// output verifies; a bad Console setting stops the host in one line before it creates a CA; the lockout ends after
/// its time.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public class ConsoleSettingsTests
{
    [Test]
    public void Hash_VerifiesTheRightPasswordOnly_AndHasTheDocumentedFormat()
    {
        var hash = ConsolePasswords.Hash("correct horse battery");

        hash.Should().MatchRegex("^pbkdf2-sha256\\$600000\\$[A-Za-z0-9+/]{22}==\\$[A-Za-z0-9+/]{43}=$");
        ConsolePasswords.Verify("correct horse battery", hash).Should().BeTrue();
        ConsolePasswords.Verify("correct horse batterY", hash).Should().BeFalse();
        ConsolePasswords.Verify(string.Empty, hash).Should().BeFalse();
        ConsolePasswords.Hash("correct horse battery").Should().NotBe(hash, "each hash has its own salt");
        ConsolePasswords.Problem(hash).Should().BeNull();
    }

    [TestCase("", "empty")]
    [TestCase("sha256$abc", "not a pbkdf2-sha256 hash")]
    [TestCase("pbkdf2-sha256$600000$c2FsdA==", "malformed")]
    [TestCase("pbkdf2-sha256$600000$not base64!$AAAA", "malformed")]
    [TestCase("pbkdf2-sha256$1000$MDEyMzQ1Njc4OWFiY2RlZg==$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "1000 iterations")]
    public void MalformedHash_IsNamedAsSuch_AndDoesNotVerify(string hash, string expected)
    {
        ConsolePasswords.Problem(hash).Should().Contain(expected);
        if (hash.Length > 0 && !hash.Contains("1000$", StringComparison.Ordinal))
        {
            FluentActions.Invoking(() => ConsolePasswords.Verify("x", hash)).Should().Throw<FormatException>();
        }
    }

    [TestCase("PasswordHash", "pbkdf2-sha256$600000$nope", "Console:Users 'ops': PasswordHash is malformed")]
    [TestCase("PasswordHash", "secret-in-clear", "Console:Users 'ops': PasswordHash is not a pbkdf2-sha256 hash")]
    [TestCase("Role", "Root", "Console:Users:0:Role is 'Root', which is not one of Viewer, Operator, Admin")]
    [TestCase("Pasword", "x", "Console:Users:0 has no setting Console:Users:0:Pasword")]
    [TestCase("Name", "", "Console:Users: every user needs a Name")]
    public async Task BadUserSetting_StopsTheHostInOneLine_AndNoCaIsCreated(string field, string value, string expected)
    {
        using var directory = new TempDirectory("scep-console-startup-");
        var settings = Settings(directory.Sub("data"));
        settings[$"Console__Users__0__{field}"] = value;

        var line = ShouldFailInOneLine(await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]));

        line.Should().Contain(expected);
        if (field == "PasswordHash")
        {
            line.Should().NotContain(value, "the setting's value is not echoed");
        }

        Directory.GetFiles(directory.File("data")).Should().BeEmpty("a bad setting stops the host before it creates a CA");
    }

    [Test]
    public async Task DuplicateUserName_StopsTheHostInOneLine()
    {
        using var directory = new TempDirectory("scep-console-startup-");
        var settings = Settings(directory.Sub("data"));
        settings["Console__Users__1__Name"] = "ops";
        settings["Console__Users__1__PasswordHash"] = settings["Console__Users__0__PasswordHash"];

        ShouldFailInOneLine(await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]))
            .Should().Contain("Console:Users: the name 'ops' is configured twice.");
    }

    [Test]
    public async Task ConsoleWithTheInMemoryStore_StopsTheHostInOneLine()
    {
        using var directory = new TempDirectory("scep-console-startup-");
        var settings = Settings(directory.Sub("data"));
        settings["SampleHost__Store"] = "InMemory";

        ShouldFailInOneLine(await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]))
            .Should().Contain("Console needs SampleHost:Store=Database");
    }

    [Test]
    public async Task ConsoleWithoutUsers_StopsTheHostInOneLine()
    {
        using var directory = new TempDirectory("scep-console-startup-");
        var settings = new Dictionary<string, string>
        {
            ["SampleHost__DataDirectory"] = directory.Sub("data"),
            ["Console__Enabled"] = "true",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };

        ShouldFailInOneLine(await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]))
            .Should().Contain("Console:Users is empty");
    }

    [Test]
    public async Task HashPasswordCommand_PrintsAHashThatVerifies_FromStandardInput()
    {
        var run = await ExternalPeer.RunAsync("dotnet", [HostProcess.Dll, "hash-password"], workingDirectory: HostProcess.Directory, standardInput: "a long console password\n");

        run.ExitCode.Should().Be(0, run.Error);
        var hash = run.Output.Trim();
        ConsolePasswords.Problem(hash).Should().BeNull(hash);
        ConsolePasswords.Verify("a long console password", hash).Should().BeTrue();
        ConsolePasswords.Verify("a long console passwore", hash).Should().BeFalse();
    }

    [TestCase("short\n", "at least 12 characters")]
    [TestCase("", "No password on standard input")]
    public async Task HashPasswordCommand_RefusesAShortOrMissingPassword(string input, string expected)
    {
        var run = await ExternalPeer.RunAsync("dotnet", [HostProcess.Dll, "hash-password"], workingDirectory: HostProcess.Directory, standardInput: input);

        run.ExitCode.Should().Be(1);
        run.Error.Should().Contain(expected);
        run.Output.Should().BeEmpty();
    }

    [Test]
    public void Lockout_StartsAtTheFifthFailure_AndEndsFiveMinutesLater()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lockout = new ConsoleLockout(time);
        for (var i = 1; i < ConsoleLockout.MaxFailures; i++)
        {
            lockout.Failed("ops");
        }

        lockout.IsLockedOut("ops").Should().BeFalse("four failures do not lock");
        lockout.Failed("ops");
        lockout.IsLockedOut("ops").Should().BeTrue();
        lockout.IsLockedOut("other").Should().BeFalse();
        time.Advance(ConsoleLockout.Duration - TimeSpan.FromSeconds(1));
        lockout.IsLockedOut("ops").Should().BeTrue();
        time.Advance(TimeSpan.FromSeconds(1));
        lockout.IsLockedOut("ops").Should().BeFalse();
        lockout.Failed("ops");
        lockout.IsLockedOut("ops").Should().BeFalse("the count starts again after a lockout");
    }

    private static Dictionary<string, string> Settings(string dataDirectory)
    {
        var settings = new Dictionary<string, string>
        {
            ["SampleHost__DataDirectory"] = dataDirectory,
            ["SampleHost__CaKeySize"] = "2048",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Console__Enabled"] = "true",
            ["Console__Users__0__Name"] = "ops",
            ["Console__Users__0__Role"] = "Operator",
        };
        settings["Console__Users__0__PasswordHash"] = ConsoleTestUsers.Environment()["Console__Users__1__PasswordHash"];
        return settings;
    }

    /// <summary>Exit code 1, one line on standard error, no stack trace anywhere; returns the line.</summary>
    private static string ShouldFailInOneLine(ExternalPeer.Result run)
    {
        run.ExitCode.Should().Be(1, run.Output + run.Error);
        var lines = run.Error.TrimEnd().Split('\n');
        lines.Should().ContainSingle(run.Error).Which.Should().StartWith("Scep.SampleHost cannot start: ");
        (run.Output + run.Error).Should().NotContain("   at ").And.NotContain("Exception:");
        return lines[0];
    }
}
