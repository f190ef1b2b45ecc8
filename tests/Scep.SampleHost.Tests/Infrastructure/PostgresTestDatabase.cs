using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Npgsql;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Infrastructure;

/// <summary>
/// A fresh database on the PostgreSQL server named by <c>SCEP_TEST_POSTGRES</c> (a connection string whose role may
/// create databases; <c>.ci/postgres.sh start</c> makes one), dropped on dispose. Without the variable the test is
/// ignored with instructions, and fails under CI=true.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string Variable = "SCEP_TEST_POSTGRES";

    private readonly string _adminConnectionString;
    private readonly string _name;

    private PostgresTestDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        _name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            var message = $"{Variable} is not set: the PostgreSQL store tests need a server, e.g. " +
                $"eval \"$(sudo bash .ci/postgres.sh start)\" (Debian, package postgresql) or " +
                $"{Variable}='Host=127.0.0.1;Port=5432;Username=scep;Password=...;Database=scep' (the role needs CREATEDB).";
            if (ExternalPeer.IsCi)
            {
                Assert.Fail(message + " (CI=true: a missing server is a failure)");
            }

            Assert.Ignore(message);
        }

        var name = "scep_test_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(server!) { Database = name };
        return new PostgresTestDatabase(server!, name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE)"), connection);
        await command.ExecuteNonQueryAsync();
    }
}
