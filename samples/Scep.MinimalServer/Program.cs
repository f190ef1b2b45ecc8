using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.AspNetCore;
using Scep.Protocol.Server;
using Scep.Protocol.Server.Storage;

var builder = WebApplication.CreateBuilder(args);
var ca = X509CertificateLoader.LoadPkcs12FromFile(builder.Configuration["CaFile"]!, builder.Configuration["CaPassword"]);
builder.Services.AddScepServer(scep => builder.Configuration.GetSection("Scep").Bind(scep))
    .AddCredentials("default", ScepCaCredentials.ForCa(ca, ca.GetRSAPrivateKey()!))
    .AddSqliteStores(builder.Configuration["Database"] ?? "scep.db")
    .AddIssuingAuthority();
var app = builder.Build();
app.MapScep("/scep/{alias}/pkiclient.exe");
app.Run();
