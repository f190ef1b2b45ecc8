using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary><c>add-entity</c>: registers (or resets) an end entity for CA-mode enrollment.</summary>
internal sealed class AddEntityCommand : AdminCommand
{
    private readonly Option<string> _username;
    private readonly Option<string?> _password;
    private readonly Option<string?> _dn;
    private readonly Option<string?> _alias;
    private readonly Option<string?> _validFor;

    public AddEntityCommand()
        : base("add-entity", "register an end entity for CA mode (the password is its one-time enrollment code, stored hashed); an existing one is reset to NEW")
    {
        _username = AddRequiredOption("--username", "U", "The username: the CN the device's request carries");
        _password = AddOption("--password", "P", "Its one-time enrollment code, the request's challengePassword (default: a generated one, printed once)");
        _dn = AddOption("--dn", "DN", "The subject of its certificate (default: the request's subject)");
        _alias = AddOption("--alias", "A", "The only alias that accepts it (default: any CA-mode alias)");
        _validFor = AddOption("--valid-for", "DURATION", CodeValidity.Help);
    }

    public override async Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        var username = parse.GetValue(_username)!;
        var dn = parse.GetValue(_dn);
        var alias = parse.GetValue(_alias);
        var validFor = CodeValidity.Parse(parse.GetValue(_validFor));
        var given = parse.GetValue(_password);
        var code = string.IsNullOrEmpty(given) ? EnrollmentCodes.Generate() : given;
        var created = await admin.AddEntityAsync(username, code, dn, alias, validFor, cancellationToken).ConfigureAwait(false);
        var expiry = validFor is null ? string.Empty : $", code valid for {validFor}";
        await output.WriteLineAsync($"{(created ? "Added" : "Reset")} end entity '{username}' (status NEW{(dn is null ? string.Empty : ", DN " + dn)}{(alias is null ? ", any alias" : ", alias " + alias)}{expiry}). Enroll with CN={username} and the password as challengePassword.").ConfigureAwait(false);
        if (string.IsNullOrEmpty(given))
        {
            // The one time the generated code is shown: the store keeps only its hash.
            await output.WriteLineAsync($"Enrollment code (shown once): {code}").ConfigureAwait(false);
        }
    }
}
