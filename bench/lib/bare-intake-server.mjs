// The intake's baseline: a bare Node `http` server, no framework, that stores each POSTed report with one
// plain INSERT through `pg` and answers 201, on the same database (table bench.bare_reports).
// Started as its own process by bench/sections/intake.mjs: DATABASE_URL, PORT, POOL_SIZE.
import http from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 20) });
await pool.query('CREATE SCHEMA IF NOT EXISTS bench');
await pool.query(`
  CREATE TABLE IF NOT EXISTS bench.bare_reports (
    id             bigserial PRIMARY KEY,
    clinic_id      text NOT NULL,
    procedure_date date NOT NULL,
    report         jsonb NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now()
  )`);

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/health') return void response.end('ok');
  if (request.method !== 'POST' || request.url !== '/v1/reports') {
    response.statusCode = 404;
    return void response.end();
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', async () => {
    try {
      const report = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const { rows } = await pool.query(
        'INSERT INTO bench.bare_reports (clinic_id, procedure_date, report) VALUES ($1, $2, $3) RETURNING id',
        [report.clinicId, report.procedureDate, report],
      );
      response.statusCode = 201;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ id: rows[0].id }));
    } catch (error) {
      response.statusCode = 500;
      response.end(String(error.message));
    }
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => pool.end().finally(() => process.exit(0))));
