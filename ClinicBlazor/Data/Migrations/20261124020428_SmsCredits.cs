using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBlazor.Data.Migrations
{
    /// <inheritdoc />
    public partial class SmsCredits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SmsCreditAccounts",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Balance = table.Column<int>(type: "INTEGER", nullable: false),
                    LowBalanceThreshold = table.Column<int>(type: "INTEGER", nullable: false),
                    LowBalanceAlerted = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SmsCreditAccounts", x => x.Id);
                    table.CheckConstraint("CK_SmsCreditAccounts_Balance", "\"Balance\" >= 0");
                    table.CheckConstraint("CK_SmsCreditAccounts_Singleton", "\"Id\" = 1");
                });

            migrationBuilder.CreateTable(
                name: "SmsCreditLedger",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Amount = table.Column<int>(type: "INTEGER", nullable: false),
                    BalanceAfter = table.Column<int>(type: "INTEGER", nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    ActorUserId = table.Column<string>(type: "TEXT", nullable: true),
                    ActorName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    DeliveryId = table.Column<int>(type: "INTEGER", nullable: true),
                    AttemptId = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SmsCreditLedger", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "SmsCreditAccounts",
                columns: new[] { "Id", "Balance", "LowBalanceAlerted", "LowBalanceThreshold" },
                values: new object[] { 1, 0, false, 10 });

            migrationBuilder.CreateIndex(
                name: "IX_SmsCreditLedger_AttemptId",
                table: "SmsCreditLedger",
                column: "AttemptId");

            migrationBuilder.CreateIndex(
                name: "IX_SmsCreditLedger_AtUtc",
                table: "SmsCreditLedger",
                column: "AtUtc");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SmsCreditAccounts");

            migrationBuilder.DropTable(
                name: "SmsCreditLedger");
        }
    }
}
